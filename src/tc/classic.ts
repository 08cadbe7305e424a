// classic.ts: the classic tc side of every device: at most one clsact qdisc per device, its
// cls_bpf filters, and `tc filter show`/`tc -s qdisc show`-shaped listings. Adding or deleting
// the qdisc is reported to an observer so the tcx layer can keep its entry (and revision)
// alive while a qdisc holds it (sch_ingress.c clsact_init/clsact_destroy, tcx_miniq_inc/dec).
import { SimError } from '../errors.js';
import type { NetDevice } from '../netdev/device.js';
import type { Hook } from '../netdev/datapath/hooks.js';
import { ETH_P_ALL, formatClassid } from './action.js';
import { ClsactQdisc, type FilterSpec } from './clsact.js';
import type { ClsBpfFilter } from './cls-bpf.js';

/** Told when a device gains or loses its clsact qdisc (the tcx entry's miniq_active count). */
export interface QdiscObserver {
  qdiscAdded(dev: NetDevice): void;
  qdiscRemoved(dev: NetDevice): void;
}

export class TcClassic {
  private readonly qdiscs = new Map<NetDevice, ClsactQdisc>();

  constructor(private readonly observer?: QdiscObserver) {}

  qdisc(dev: NetDevice): ClsactQdisc | undefined {
    return this.qdiscs.get(dev);
  }

  /** `tc qdisc add dev X clsact` */
  addQdisc(dev: NetDevice): ClsactQdisc {
    if (this.qdiscs.has(dev)) throw new SimError('EEXIST', `tc qdisc add dev ${dev.path} clsact: a clsact qdisc already exists`);
    const q = new ClsactQdisc();
    this.qdiscs.set(dev, q);
    this.observer?.qdiscAdded(dev);
    return q;
  }

  /** `tc qdisc del dev X clsact` (also what device unregister does first, dev_shutdown). */
  delQdisc(dev: NetDevice): void {
    if (!this.qdiscs.delete(dev)) throw new SimError('ENOENT', `tc qdisc del dev ${dev.path} clsact: no clsact qdisc`);
    this.observer?.qdiscRemoved(dev);
  }

  /** Device unregister: the qdisc goes away silently if there is one. */
  removeDevice(dev: NetDevice): void {
    if (this.qdiscs.has(dev)) this.delQdisc(dev);
  }

  /** `tc filter add dev X ingress|egress [pref P] [handle H] bpf [da] ...` */
  addFilter(dev: NetDevice, hook: Hook, spec: FilterSpec): ClsBpfFilter {
    const where = `tc filter add dev ${dev.path} ${hook}`;
    const q = this.qdiscs.get(dev);
    if (!q) throw new SimError('EINVAL', `${where}: no clsact qdisc on the device (tc qdisc add dev ${dev.name} clsact)`);
    return q.chain(hook).add(spec, where);
  }

  /** `tc filter del dev X ingress|egress [pref P [handle H]]` */
  delFilter(dev: NetDevice, hook: Hook, pref?: number, handle?: number): ClsBpfFilter[] {
    const where = `tc filter del dev ${dev.path} ${hook}`;
    const q = this.qdiscs.get(dev);
    if (!q) throw new SimError('EINVAL', `${where}: no clsact qdisc on the device`);
    return q.chain(hook).del(where, pref, handle);
  }

  /** `tc filter show dev X ingress|egress`, line for line as iproute2 prints cls_bpf filters. */
  showFilters(dev: NetDevice, hook: Hook): string[] {
    const q = this.qdiscs.get(dev);
    if (!q) return [];
    const out: string[] = [];
    for (const tp of q.chain(hook).protos) {
      const head = `filter protocol ${protocolName(tp.protocol)} pref ${tp.pref} bpf chain 0 `;
      out.push(head);
      for (const f of tp.filters) {
        let line = `${head}handle 0x${f.handle.toString(16)} `;
        if (f.classid) line += `flowid ${formatClassid(f.classid)} `;
        line += `${f.name} `;
        if (f.directAction) line += 'direct-action ';
        line += `not_in_hw id ${f.prog.id} name ${f.prog.name}`;
        out.push(line);
      }
    }
    return out;
  }

  /** `tc -s qdisc show dev X` for the clsact qdisc (both hooks' miniq counters summed). */
  showQdisc(dev: NetDevice): string[] {
    const q = this.qdiscs.get(dev);
    if (!q) return [];
    const packets = q.ingress.stats.packets + q.egress.stats.packets;
    const bytes = q.ingress.stats.bytes + q.egress.stats.bytes;
    const drops = q.ingress.stats.drops + q.egress.stats.drops;
    return [`qdisc clsact ffff: dev ${dev.name} parent ffff:fff1 `, ` Sent ${bytes} bytes ${packets} pkt (dropped ${drops}, overlimits 0 requeues 0) `];
  }
}

function protocolName(p: number): string {
  switch (p) {
    case ETH_P_ALL:
      return 'all';
    case 0x0800:
      return 'ip';
    case 0x86dd:
      return 'ipv6';
    case 0x0806:
      return 'arp';
    case 0x8100:
      return '802.1Q';
    default:
      return `0x${p.toString(16).padStart(4, '0')}`;
  }
}
