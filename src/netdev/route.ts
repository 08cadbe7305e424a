// route.ts: a namespace's routing table, IPv4 and IPv6, longest-prefix match then lowest metric
// (the main table; local routes for the namespace's own addresses are derived, as the kernel's
// local table is, and win over everything).
import { type Family, type Prefix, prefixMatch } from './addr.js';

/** rtm_type values that matter to forwarding and bpf_fib_lookup. */
export type RouteType = 'unicast' | 'local' | 'broadcast' | 'blackhole' | 'unreachable' | 'prohibit';

export interface Route {
  readonly dst: Prefix;
  readonly type: RouteType;
  /** Output device ifindex (unicast/local). */
  readonly ifindex: number;
  /** Next hop; absent for directly connected destinations. */
  readonly gateway?: Uint8Array;
  readonly metric: number;
  /** Preferred source address. */
  readonly src?: Uint8Array;
  /** Route MTU (0 = the device's). */
  readonly mtu: number;
  readonly table: number;
}

export const RT_TABLE_DEFAULT = 253;
export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;

export class RouteTable {
  private readonly routes: Route[] = [];

  add(route: Route): void {
    this.routes.push(route);
    // Most specific first, then lowest metric: lookup takes the first match.
    this.routes.sort((a, b) => b.dst.len - a.dst.len || a.metric - b.metric);
  }

  removeDevice(ifindex: number): void {
    for (let i = this.routes.length - 1; i >= 0; i--) if (this.routes[i].ifindex === ifindex) this.routes.splice(i, 1);
  }

  lookup(family: Family, dst: Uint8Array, table?: number): Route | undefined {
    for (const r of this.routes) {
      if (r.dst.family !== family || (table !== undefined && r.table !== table)) continue;
      if (prefixMatch(r.dst.addr, dst, r.dst.len)) return r;
    }
    return undefined;
  }

  list(): readonly Route[] {
    return this.routes;
  }
}
