// device.ts: what tcx keeps per net_device: the ingress and egress entry pointers
// (dev->tcx_ingress / dev->tcx_egress, null when the hook has no entry) and the classic qdisc.
import type { TcxEntry } from './entry.js';
import { BPF_TCX_INGRESS, type TcxAttachType } from './uapi.js';

export type QdiscKind = 'clsact' | 'ingress';

export class TcxDevice {
  ingress: TcxEntry | null = null;
  egress: TcxEntry | null = null;
  /** A classic clsact/ingress qdisc holding the entries alive (sch_ingress.c miniq). */
  qdisc: QdiscKind | null = null;

  constructor(
    readonly ifindex: number,
    readonly name: string,
  ) {}

  entry(at: TcxAttachType): TcxEntry | null {
    return at === BPF_TCX_INGRESS ? this.ingress : this.egress;
  }

  setEntry(at: TcxAttachType, e: TcxEntry | null): void {
    if (at === BPF_TCX_INGRESS) this.ingress = e;
    else this.egress = e;
  }
}
