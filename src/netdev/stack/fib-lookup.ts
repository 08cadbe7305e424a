// fib-lookup.ts: bpf_fib_lookup (net/core/filter.c bpf_ipv4_fib_lookup / bpf_ipv6_fib_lookup /
// bpf_skb_fib_lookup) answered from a namespace's FIB, operating on the bytes of
// struct bpf_fib_lookup (64 bytes, host order = little-endian) so the helper only wraps it.
//
//   0 family  1 l4_protocol  2 sport  4 dport  6 tot_len|mtu_result(u16)  8 ifindex(u32)
//   12 tos|flowinfo|rt_metric  16 ipv4_src|ipv6_src[16]  32 ipv4_dst|ipv6_dst[16]
//   48 h_vlan_proto,h_vlan_TCI | tbid(u32)  52 mark(u32) | smac[6]  58 dmac[6]
import { ERRNO } from '../../errors.js';
import type { NetNamespace } from '../netns.js';
import { routeLookup, tableExists } from './route-lookup.js';
import { RT_TABLE_LOCAL, RT_TABLE_MAIN, type Route } from '../route.js';

export const BPF_FIB_LOOKUP_DIRECT = 1 << 0;
export const BPF_FIB_LOOKUP_OUTPUT = 1 << 1;
export const BPF_FIB_LOOKUP_SKIP_NEIGH = 1 << 2;
export const BPF_FIB_LOOKUP_TBID = 1 << 3;
export const BPF_FIB_LOOKUP_SRC = 1 << 4;
export const BPF_FIB_LOOKUP_MARK = 1 << 5;
const BPF_FIB_LOOKUP_MASK = 0x3f;

export const BPF_FIB_LKUP_RET_SUCCESS = 0;
export const BPF_FIB_LKUP_RET_BLACKHOLE = 1;
export const BPF_FIB_LKUP_RET_UNREACHABLE = 2;
export const BPF_FIB_LKUP_RET_PROHIBIT = 3;
export const BPF_FIB_LKUP_RET_NOT_FWDED = 4;
export const BPF_FIB_LKUP_RET_FWD_DISABLED = 5;
export const BPF_FIB_LKUP_RET_UNSUPP_LWT = 6;
export const BPF_FIB_LKUP_RET_NO_NEIGH = 7;
export const BPF_FIB_LKUP_RET_FRAG_NEEDED = 8;
export const BPF_FIB_LKUP_RET_NO_SRC_ADDR = 9;

export const BPF_FIB_LOOKUP_SIZE = 64;
const AF_INET = 2;
const AF_INET6 = 10;
const ETH_HLEN = 14;
const VLAN_HLEN = 4;

/** The skb facts bpf_skb_fib_lookup's MTU check needs (is_skb_forwardable). */
export interface FibSkb {
  readonly len: number;
  /** A GSO skb is forwardable whatever its length (is_skb_forwardable). */
  readonly gsoSize?: number;
}

/**
 * bpf_skb_fib_lookup: `p` is the program's struct (at least 64 bytes), read and written in place.
 * Returns the helper's r0: 0, a BPF_FIB_LKUP_RET_* code, or a negative errno.
 */
export function bpfSkbFibLookup(ns: NetNamespace, p: Uint8Array, plen: number, flags: number, skb: FibSkb | null): number {
  if (plen < BPF_FIB_LOOKUP_SIZE || p.length < BPF_FIB_LOOKUP_SIZE) return -ERRNO.EINVAL;
  if ((flags >>> 0) & ~BPF_FIB_LOOKUP_MASK) return -ERRNO.EINVAL;
  const v = new DataView(p.buffer, p.byteOffset, BPF_FIB_LOOKUP_SIZE);
  const checkMtu = v.getUint16(6, true) !== 0;
  let rc = -ERRNO.EAFNOSUPPORT;
  if (p[0] === AF_INET) rc = fibLookup(ns, p, v, flags, checkMtu, 4);
  else if (p[0] === AF_INET6) rc = fibLookup(ns, p, v, flags, checkMtu, 6);
  if (rc === BPF_FIB_LKUP_RET_SUCCESS && !checkMtu) {
    // No tot_len given: check the skb against the resulting device (is_skb_forwardable).
    const dev = ns.byIfindex.get(v.getUint32(8, true))!;
    if (skb && (!dev.up || (skb.len > dev.mtu + ETH_HLEN + VLAN_HLEN && !skb.gsoSize))) rc = BPF_FIB_LKUP_RET_FRAG_NEEDED;
    v.setUint16(6, dev.mtu & 0xffff, true);
  }
  return rc;
}

function fibLookup(ns: NetNamespace, p: Uint8Array, v: DataView, flags: number, checkMtu: boolean, family: 4 | 6): number {
  const alen = family === 4 ? 4 : 16;
  const src = p.subarray(16, 16 + alen);
  const dst = p.subarray(32, 32 + alen);
  if (family === 6 && (needStrict6(dst) || needStrict6(src))) return BPF_FIB_LKUP_RET_NOT_FWDED;
  const ifindex = v.getUint32(8, true);
  const dev = ns.byIfindex.get(ifindex);
  if (!dev) return -ERRNO.ENODEV;
  // IPv4: the input device's own switch (IN_DEV_FORWARD); IPv6: the namespace-wide one
  if (family === 4 ? !dev.forwardsIpv4 : !ns.forwarding[6]) return BPF_FIB_LKUP_RET_FWD_DISABLED;
  const oif = flags & BPF_FIB_LOOKUP_OUTPUT ? ifindex : family === 6 ? ifindex : 0;
  let table: number | undefined;
  if (flags & BPF_FIB_LOOKUP_DIRECT) {
    table = RT_TABLE_MAIN;
    if (flags & BPF_FIB_LOOKUP_TBID) {
      table = v.getUint32(48, true);
      v.setUint32(48, 0, true);
    }
    if (!tableExists(ns, table)) return BPF_FIB_LKUP_RET_NOT_FWDED;
  }
  // (BPF_FIB_LOOKUP_MARK selects policy rules by mark; tcxsim has only the default rules.)
  const q = { oif: family === 4 && flags & BPF_FIB_LOOKUP_OUTPUT ? oif : family === 6 ? oif : 0 };
  let r: Route | undefined;
  if (table === undefined) {
    // the default rules (local, main, default); other tables are only reached through TBID
    r = routeLookup(ns, family, dst, q);
  } else {
    // without custom rules the IPv4 local table is merged into main (fib_unmerge never ran), so a
    // DIRECT lookup in main finds local and broadcast routes too (measured: NOT_FWDED)
    if (family === 4 && table === RT_TABLE_MAIN) r = routeLookup(ns, family, dst, { ...q, table: RT_TABLE_LOCAL });
    r ??= routeLookup(ns, family, dst, { ...q, table });
  }
  if (!r) return BPF_FIB_LKUP_RET_NOT_FWDED;
  switch (r.type) {
    case 'unicast':
      break;
    case 'blackhole':
      return BPF_FIB_LKUP_RET_BLACKHOLE;
    case 'unreachable':
      return BPF_FIB_LKUP_RET_UNREACHABLE;
    case 'prohibit':
      return BPF_FIB_LKUP_RET_PROHIBIT;
    default:
      return BPF_FIB_LKUP_RET_NOT_FWDED;
  }
  const out = ns.byIfindex.get(r.ifindex);
  if (!out) return BPF_FIB_LKUP_RET_NOT_FWDED;
  let mtu = 0;
  if (checkMtu) {
    // ip_mtu_from_fib_result / ip6_mtu_from_fib6 use a route's MTU only when it is locked
    // (`mtu lock N`; tcxsim routes have no lock): an unlocked `mtu N` is ignored (measured)
    mtu = out.mtu;
    if (v.getUint16(6, true) > mtu) {
      v.setUint16(6, mtu, true);
      return BPF_FIB_LKUP_RET_FRAG_NEEDED;
    }
  }
  if (r.gateway) dst.set(r.gateway);
  v.setUint32(12, r.metric >>> 0, true);
  v.setUint32(8, out.ifindex, true);
  if (flags & BPF_FIB_LOOKUP_SRC) {
    const s = r.src ?? ns.sourceFor(out, family);
    if (s) src.set(s);
    else if (family === 6) return BPF_FIB_LKUP_RET_NO_SRC_ADDR;
    else src.fill(0);
  }
  if (!(flags & BPF_FIB_LOOKUP_SKIP_NEIGH)) {
    const n = ns.neigh.lookup(out.ifindex, dst.slice());
    if (!n) return BPF_FIB_LKUP_RET_NO_NEIGH;
    p.set(n.mac.subarray(0, 6), 58);
    p.set(out.mac.subarray(0, 6), 52);
  }
  // bpf_fib_set_fwd_params
  v.setUint16(48, 0, true);
  v.setUint16(50, 0, true);
  if (mtu) v.setUint16(6, mtu, true);
  return BPF_FIB_LKUP_RET_SUCCESS;
}

/** rt6_need_strict: multicast, link-local and loopback addresses are never forwarded. */
function needStrict6(a: Uint8Array): boolean {
  if (a[0] === 0xff) return true;
  if (a[0] === 0xfe && (a[1]! & 0xc0) === 0x80) return true;
  for (let i = 0; i < 15; i++) if (a[i] !== 0) return false;
  return a[15] === 1;
}
