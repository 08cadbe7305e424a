// route-lookup.ts: FIB lookups the way the kernel's default rules walk the tables (local 255,
// main 254, default 253; any other table only when asked for by id: tcxsim has no policy rules),
// longest prefix first, lowest metric on ties. An output interface filters
// IPv4 nexthops (fib_lookup_good_nhc) and is only a preference for IPv6 (rt6_score_route without
// RT6_LOOKUP_F_IFACE). Error routes (blackhole/unreachable/prohibit) match whatever the oif.
import type { Family } from '../addr.js';
import { prefixMatch } from '../addr.js';
import type { NetNamespace } from '../netns.js';
import { RT_TABLE_DEFAULT, RT_TABLE_LOCAL, RT_TABLE_MAIN, type Route } from '../route.js';

export interface RouteQuery {
  /** Only this table (BPF_FIB_LOOKUP_DIRECT / TBID); otherwise the default rules' tables in order. */
  table?: number;
  /** flowi oif (0 = any). */
  oif?: number;
}

/** The tables of the default rules (`ip rule`: 0 local, 32766 main, 32767 default), in order. */
export const DEFAULT_RULE_TABLES: readonly number[] = [RT_TABLE_LOCAL, RT_TABLE_MAIN, RT_TABLE_DEFAULT];

export function isErrorRoute(r: Route): boolean {
  return r.type === 'blackhole' || r.type === 'unreachable' || r.type === 'prohibit';
}

export function tableExists(ns: NetNamespace, table: number): boolean {
  if (table === RT_TABLE_MAIN || table === RT_TABLE_LOCAL) return true;
  return ns.routes.list().some((r) => r.table === table);
}

export function routeLookup(ns: NetNamespace, family: Family, dst: Uint8Array, q: RouteQuery = {}): Route | undefined {
  const oif = q.oif ?? 0;
  if (q.table !== undefined) return lookupTable(ns, family, dst, q.table, oif);
  for (let i = 0; i < DEFAULT_RULE_TABLES.length; i++) {
    const hit = lookupTable(ns, family, dst, DEFAULT_RULE_TABLES[i]!, oif);
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
