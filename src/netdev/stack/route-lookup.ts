// route-lookup.ts: FIB lookups the way the kernel's rules walk the tables (local 255, then main
// 254, then the rest), longest prefix first, lowest metric on ties. An output interface filters
// IPv4 nexthops (fib_lookup_good_nhc) and is only a preference for IPv6 (rt6_score_route without
// RT6_LOOKUP_F_IFACE). Error routes (blackhole/unreachable/prohibit) match whatever the oif.
import type { Family } from '../addr.js';
import { prefixMatch } from '../addr.js';
import type { NetNamespace } from '../netns.js';
import { RT_TABLE_LOCAL, RT_TABLE_MAIN, type Route } from '../route.js';

export interface RouteQuery {
  /** Only this table (BPF_FIB_LOOKUP_DIRECT / TBID); otherwise the rule order local, main, others. */
  table?: number;
  /** flowi oif (0 = any). */
  oif?: number;
}

export function isErrorRoute(r: Route): boolean {
  return r.type === 'blackhole' || r.type === 'unreachable' || r.type === 'prohibit';
}

export function tableExists(ns: NetNamespace, table: number): boolean {
  if (table === RT_TABLE_MAIN || table === RT_TABLE_LOCAL) return true;
  return ns.routes.list().some((r) => r.table === table);
}

export function routeLookup(ns: NetNamespace, family: Family, dst: Uint8Array, q: RouteQuery = {}): Route | undefined {
  if (q.table !== undefined) return lookupTable(ns, family, dst, q.table, q.oif ?? 0);
  const local = lookupTable(ns, family, dst, RT_TABLE_LOCAL, q.oif ?? 0);
  if (local) return local;
  const main = lookupTable(ns, family, dst, RT_TABLE_MAIN, q.oif ?? 0);
  if (main) return main;
  for (const r of ns.routes.list()) {
    if (r.table === RT_TABLE_LOCAL || r.table === RT_TABLE_MAIN) continue;
    const hit = lookupTable(ns, family, dst, r.table, q.oif ?? 0);
    if (hit) return hit;
  }
  return undefined;
}

function lookupTable(ns: NetNamespace, family: Family, dst: Uint8Array, table: number, oif: number): Route | undefined {
  let best: Route | undefined;
  for (const r of ns.routes.list()) {
    if (r.dst.family !== family || r.table !== table) continue;
    if (best && r.dst.len < best.dst.len) break; // sorted most specific first
    if (!prefixMatch(r.dst.addr, dst, r.dst.len)) continue;
    if (isErrorRoute(r)) return best ?? r;
    if (oif && r.ifindex !== oif) {
      if (family === 4) continue;
      best ??= r; // IPv6: keep as a fallback, prefer one through oif at this prefix length
      continue;
    }
    return r;
  }
  return best;
}
