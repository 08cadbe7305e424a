// accounting.ts: where every packet ended. A packet enters (injected from a wire port or sent by
// a host) or is created by the simulation (clones, ARP/ICMP replies); at the end it is
// delivered to a namespace's host sink, sent out a wire port, dropped with a reason, or held
// (stolen/queued by tc, or taken after tc ingress by a capture).
// entered + created = delivered + wire + dropped + held + in flight.
import type { DropReason } from './datapath/drop.js';

export type PacketOrigin = 'injected' | 'clone' | 'reply';
export type PacketOutcome = 'delivered' | 'wire' | 'dropped' | 'held';

/** One packet's end, kept when fates are recorded. */
export interface PacketFate {
  readonly id: number;
  readonly origin: PacketOrigin;
  readonly outcome: PacketOutcome;
  /** `ns/dev` where it ended (the device, or the namespace for host delivery). */
  readonly where: string;
  readonly reason?: DropReason;
  readonly detail?: string;
  /** program_fault: the program and the instruction. */
  readonly program?: { readonly id: number; readonly name: string; readonly pc: number };
}

export class Accounting {
  entered = 0;
  created = 0;
  delivered = 0;
  wire = 0;
  dropped = 0;
  held = 0;
  readonly drops = new Map<DropReason, number>();
  readonly deliveredByNs = new Map<string, number>();
  readonly wireByDev = new Map<string, number>();
  /** Every packet's end, in order, when `keepFates` (tests, traces); empty otherwise. */
  readonly fates: PacketFate[] = [];

  constructor(public keepFates = true) {}

  get inFlight(): number {
    return this.entered + this.created - (this.delivered + this.wire + this.dropped + this.held);
  }

  /** True when every packet that entered or was created has ended. */
  get balanced(): boolean {
    return this.inFlight === 0;
  }

  begin(origin: PacketOrigin): void {
    if (origin === 'injected') this.entered++;
    else this.created++;
  }

  end(f: PacketFate): void {
    this.tally(f.outcome, f.where, f.reason);
    if (this.keepFates) this.fates.push(f);
  }

  /** The counting half of end(): what a packet's end costs when its fate is not kept. */
  tally(outcome: PacketOutcome, where: string, reason?: DropReason): void {
    switch (outcome) {
      case 'delivered':
        this.delivered++;
        this.deliveredByNs.set(where, (this.deliveredByNs.get(where) ?? 0) + 1);
        break;
      case 'wire':
        this.wire++;
        this.wireByDev.set(where, (this.wireByDev.get(where) ?? 0) + 1);
        break;
      case 'dropped':
        this.dropped++;
        this.drops.set(reason!, (this.drops.get(reason!) ?? 0) + 1);
        break;
      case 'held':
        this.held++;
        break;
    }
  }

  /** The totals as one plain object (reports, JSON output). */
  totals(): Record<string, number | Record<string, number>> {
    return {
      entered: this.entered,
      created: this.created,
      delivered: this.delivered,
      wire: this.wire,
      dropped: this.dropped,
      held: this.held,
      inFlight: this.inFlight,
      drops: Object.fromEntries(this.drops),
    };
  }
}
