// skb-ops.ts: the small sk_buff operations several helper families share, as the kernel does
// them (include/linux/skbuff.h, net/core/filter.c): hash clearing, CHECKSUM_COMPLETE upkeep,
// ip_summed level changes, and the push/pop of room at an offset that keeps header offsets right.
//
//   bpf_skb_generic_push(off, len):  [0, off) moves to the new front, len zero bytes follow it
//     before: data [ mac+l3 (off) | rest ... ]       after: data-len [ mac+l3 | 00 x len | rest ... ]
import { CHECKSUM_COMPLETE, CHECKSUM_NONE, CHECKSUM_PARTIAL, CHECKSUM_UNNECESSARY } from '../skb/constants.js';
import { HEADER_UNSET, type Skb } from '../skb/skb.js';
import { csumBlockAdd, csumBlockSub, csumPartial } from './wsum.js';

/** include/linux/skbuff.h SKB_GSO_* (the bits helpers read or set). */
export const SKB_GSO_TCPV4 = 1 << 0;
export const SKB_GSO_DODGY = 1 << 1;
export const SKB_GSO_TCPV6 = 1 << 4;
export const SKB_GSO_GRE = 1 << 6;
export const SKB_GSO_IPXIP4 = 1 << 8;
export const SKB_GSO_IPXIP6 = 1 << 9;
export const SKB_GSO_UDP_TUNNEL = 1 << 10;
export const SKB_GSO_UDP_L4 = 1 << 17;

/** SKB_MAX_CSUM_LEVEL */
export const SKB_MAX_CSUM_LEVEL = 3;
/** BPF_SKB_MAX_LEN = SKB_MAX_ALLOC = 4 pages minus the aligned skb_shared_info (x86-64). */
export const BPF_SKB_MAX_LEN = 16384 - 320;

/** skb_clear_hash */
export function clearHash(skb: Skb): void {
  skb.hash = 0;
  skb.swHash = false;
  skb.l4Hash = false;
}

export function isGso(skb: Skb): boolean {
  return skb.gsoSize !== 0;
}

export function isGsoTcp(skb: Skb): boolean {
  return (skb.gsoType & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) !== 0;
}

/** skb_gso_reset */
export function gsoReset(skb: Skb): void {
  skb.gsoSize = 0;
  skb.gsoSegs = 0;
  skb.gsoType = 0;
}

/** skb_mac_header_len: network_header - mac_header. */
export function macHeaderLen(skb: Skb): number {
  return skb.networkHeader - skb.macHeader;
}

/** __skb_postpull_rcsum: `len` bytes at absolute `at` (offset `off` from data) leave the sum. */
export function postpullRcsum(skb: Skb, at: number, len: number, off: number): void {
  if (skb.ipSummed === CHECKSUM_COMPLETE) {
    skb.csum = csumBlockSub(skb.csum, csumPartial(skb.buf, at, len, 0), off);
  } else if (skb.ipSummed === CHECKSUM_PARTIAL && skb.csumStart - skb.data < 0) {
    skb.ipSummed = CHECKSUM_NONE;
  }
}

/** __skb_postpush_rcsum */
export function postpushRcsum(skb: Skb, at: number, len: number, off: number): void {
  if (skb.ipSummed === CHECKSUM_COMPLETE) skb.csum = csumBlockAdd(skb.csum, csumPartial(skb.buf, at, len, 0), off);
}

/** bpf_push_mac_rcsum / bpf_pull_mac_rcsum: at tc ingress skb->csum starts after the MAC header. */
export function pushMacRcsum(skb: Skb): void {
  if (skb.tcAtIngress && skb.macHeader !== HEADER_UNSET) postpushRcsum(skb, skb.macHeader, skb.macLen, 0);
}

export function pullMacRcsum(skb: Skb): void {
  if (skb.tcAtIngress && skb.macHeader !== HEADER_UNSET) postpullRcsum(skb, skb.macHeader, skb.macLen, 0);
}

/** __skb_reset_checksum_unnecessary */
export function resetChecksumUnnecessary(skb: Skb): void {
  if (skb.ipSummed === CHECKSUM_UNNECESSARY) {
    skb.ipSummed = CHECKSUM_NONE;
    skb.csumLevel = 0;
  }
}

/** __skb_incr_checksum_unnecessary */
export function incrChecksumUnnecessary(skb: Skb): void {
  if (skb.ipSummed === CHECKSUM_UNNECESSARY) {
    if (skb.csumLevel < SKB_MAX_CSUM_LEVEL) skb.csumLevel++;
  } else if (skb.ipSummed === CHECKSUM_NONE) {
    skb.ipSummed = CHECKSUM_UNNECESSARY;
    skb.csumLevel = 0;
  }
}

/** __skb_decr_checksum_unnecessary */
export function decrChecksumUnnecessary(skb: Skb): void {
  if (skb.ipSummed === CHECKSUM_UNNECESSARY) {
    if (skb.csumLevel === 0) skb.ipSummed = CHECKSUM_NONE;
    else skb.csumLevel--;
  }
}

/**
 * skb_ensure_writable: the first `writeLen` bytes must exist (pskb_may_pull). tcxsim skbs are
 * linear and never shared, so this is only the length check. `writeLen` is an unsigned int.
 */
export function ensureWritable(skb: Skb, writeLen: number): boolean {
  return writeLen >>> 0 <= skb.len;
}

/** bpf_skb_generic_push: the caller made `len` bytes of headroom (skb_cow). */
export function genericPush(skb: Skb, off: number, len: number): void {
  const b = skb.buf;
  const data = skb.push(len);
  b.copyWithin(data, data + len, data + len + off);
  b.fill(0, data + off, data + off + len);
}

/** bpf_skb_generic_pop: -ENOMEM (as a negative number) when off + len is past the packet. */
export function genericPop(skb: Skb, off: number, len: number): number {
  if (!ensureWritable(skb, off + len)) return -12;
  const old = skb.data;
  skb.pull(len);
  postpullRcsum(skb, old + off, len, 0); // skb_postpull_rcsum: offset 0
  skb.buf.copyWithin(skb.data, old, old + off);
  return 0;
}

/** bpf_skb_net_hdr_push: room at `off`; mac and network headers move with the front bytes. */
export function netHdrPush(skb: Skb, off: number, len: number): void {
  const transSame = skb.transportHeader === skb.networkHeader;
  genericPush(skb, off, len);
  if (skb.macHeader !== HEADER_UNSET) skb.macHeader -= len;
  if (skb.networkHeader !== HEADER_UNSET) skb.networkHeader -= len;
  if (transSame) skb.transportHeader = skb.networkHeader;
}

/** bpf_skb_net_hdr_pop */
export function netHdrPop(skb: Skb, off: number, len: number): number {
  const transSame = skb.transportHeader === skb.networkHeader;
  const ret = genericPop(skb, off, len);
  if (ret === 0) {
    if (skb.macHeader !== HEADER_UNSET) skb.macHeader += len;
    if (skb.networkHeader !== HEADER_UNSET) skb.networkHeader += len;
    if (transSame) skb.transportHeader = skb.networkHeader;
  }
  return ret;
}
