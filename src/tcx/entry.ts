// entry.ts: struct tcx_entry: one hook's mprog bundle plus the classic-qdisc user count.
// The entry exists while it has programs or a clsact/ingress qdisc uses it (tcx_entry_is_active);
// a freed entry takes its revision with it, so the next one starts again at 1.
import { MprogBundle } from '../mprog/bundle.js';
import type { TcxLink } from './link.js';
import type { BpfProgram } from './program.js';

export class TcxEntry {
  readonly bundle = new MprogBundle<BpfProgram, TcxLink>();
  /** miniq_active: ingress/clsact qdiscs pointing at this entry. */
  miniqActive = 0;

  get active(): boolean {
    return this.bundle.count > 0 || this.miniqActive > 0;
  }
}
