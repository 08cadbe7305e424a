// link.ts: a tcx link (struct tcx_link): owns one slot on one hook of one device. `ifindex`
// becomes null when the link is detached (BPF_LINK_DETACH, release, device unregister); the
// object and its id live on while an fd or a bpffs pin holds it.
import type { BpfProgram } from './program.js';
import type { TcxAttachType } from './uapi.js';

export class TcxLink {
  /** fds + pins referencing the link; at 0 the link is released and its id freed. */
  refs = 0;
  /** tcx->dev: the device while attached, null once detached. */
  ifindex: number | null = null;

  constructor(
    readonly id: number,
    public prog: BpfProgram,
    readonly attachType: TcxAttachType,
  ) {}

  get attached(): boolean {
    return this.ifindex !== null;
  }
}
