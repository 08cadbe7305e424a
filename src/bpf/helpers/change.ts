// change.ts: helpers that resize the packet (net/core/filter.c): skb_change_proto,
// skb_change_tail, skb_change_head and skb_adjust_room (NET/MAC modes, encap and decap flags).
// New bytes are always zero; header offsets, GSO fields and ip_summed change as in the kernel.
//
//   adjust_room(+n, NET):  [eth|ip20|l4...] -> [eth|ip20|00 x n|l4...]
//   adjust_room(+n, MAC):  [eth|ip...]      -> [eth|00 x n|ip...]     (network header = the room)
import { ERRNO } from '../../errors.js';
import { CHECKSUM_COMPLETE, CHECKSUM_NONE, CHECKSUM_PARTIAL, ETH_HLEN, ETH_P_IP, ETH_P_IPV6 } from '../skb/constants.js';
import { HEADER_UNSET, type Skb } from '../skb/skb.js';
import type { Vm } from '../vm.js';
import { envOf } from './env.js';
import { argU32, defineHelper, retS64 } from './registry.js';
import {
  BPF_SKB_MAX_LEN,
  SKB_GSO_DODGY,
  SKB_GSO_GRE,
  SKB_GSO_IPXIP4,
  SKB_GSO_IPXIP6,
  SKB_GSO_TCPV4,
  SKB_GSO_TCPV6,
  SKB_GSO_UDP_L4,
  SKB_GSO_UDP_TUNNEL,
  clearHash,
  gsoReset,
  isGso,
  isGsoTcp,
  macHeaderLen,
  netHdrPop,
  netHdrPush,
  resetChecksumUnnecessary,
} from './skb-ops.js';

export const BPF_FUNC_skb_change_proto = 31;
export const BPF_FUNC_skb_change_tail = 38;
export const BPF_FUNC_skb_change_head = 43;
export const BPF_FUNC_skb_adjust_room = 50;

/** skb_adjust_room modes */
export const BPF_ADJ_ROOM_NET = 0;
export const BPF_ADJ_ROOM_MAC = 1;
/** skb_adjust_room flags (include/uapi/linux/bpf.h) */
export const BPF_F_ADJ_ROOM_FIXED_GSO = 1 << 0;
export const BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 = 1 << 1;
export const BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 = 1 << 2;
export const BPF_F_ADJ_ROOM_ENCAP_L4_GRE = 1 << 3;
export const BPF_F_ADJ_ROOM_ENCAP_L4_UDP = 1 << 4;
export const BPF_F_ADJ_ROOM_NO_CSUM_RESET = 1 << 5;
export const BPF_F_ADJ_ROOM_ENCAP_L2_ETH = 1 << 6;
export const BPF_F_ADJ_ROOM_DECAP_L3_IPV4 = 1 << 7;
export const BPF_F_ADJ_ROOM_DECAP_L3_IPV6 = 1 << 8;
/** BPF_F_ADJ_ROOM_ENCAP_L2(len) = (len & 0xff) << 56: the inner MAC length, in the flags' top byte. */
export const BPF_ADJ_ROOM_ENCAP_L2_SHIFT = 56;
export function BPF_F_ADJ_ROOM_ENCAP_L2(len: number): bigint {
  return BigInt(len & 0xff) << 56n;
}

const ENCAP_L3_MASK = BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L3_IPV6;
const DECAP_L3_MASK = BPF_F_ADJ_ROOM_DECAP_L3_IPV4 | BPF_F_ADJ_ROOM_DECAP_L3_IPV6;
/** BPF_F_ADJ_ROOM_MASK | NO_CSUM_RESET, low 32 bits (the high word may only carry ENCAP_L2's byte). */
const ADJ_ROOM_FLAGS_LO =
  BPF_F_ADJ_ROOM_FIXED_GSO |
  ENCAP_L3_MASK |
  BPF_F_ADJ_ROOM_ENCAP_L4_GRE |
  BPF_F_ADJ_ROOM_ENCAP_L4_UDP |
  BPF_F_ADJ_ROOM_ENCAP_L2_ETH |
  DECAP_L3_MASK |
  BPF_F_ADJ_ROOM_NO_CSUM_RESET;
const ADJ_ROOM_FLAGS_HI = 0xff000000;

const IPV4_HLEN = 20;
const IPV6_HLEN = 40;
/** ETH_P_TEB: the inner protocol of an Ethernet-in-tunnel encapsulation. */
const ETH_P_TEB = 0x6558;

/** A u16 argument passed as __be16 (what bpf_htons() produced), in host order. */
function be16Arg(vm: Vm, i: number): number {
  const v = vm.regs[2 * i] & 0xffff;
  return ((v & 0xff) << 8) | (v >>> 8);
}

/** bpf_skb_change_protocol: skb->protocol only (dst drop is not modelled: tcxsim has no dsts). */
function setProtocol(skb: Skb, proto: number): void {
  skb.protocol = proto;
}

function changeProto(vm: Vm): void {
  const skb = envOf(vm).skb;
  if (vm.regs[6] !== 0 || vm.regs[7] !== 0) return retS64(vm, -ERRNO.EINVAL);
  const to = be16Arg(vm, 2);
  const lenDiff = IPV6_HLEN - IPV4_HLEN;
  const off = macHeaderLen(skb);
  if (skb.protocol === ETH_P_IP && to === ETH_P_IPV6) {
    skb.ensureHeadroom(lenDiff); // skb_cow
    netHdrPush(skb, off, lenDiff);
    if (isGso(skb)) {
      if (skb.gsoType & SKB_GSO_TCPV4) skb.gsoType = (skb.gsoType & ~SKB_GSO_TCPV4) | SKB_GSO_TCPV6;
      skb.gsoType |= SKB_GSO_DODGY;
    }
    setProtocol(skb, ETH_P_IPV6);
    clearHash(skb);
    return retS64(vm, 0);
  }
  if (skb.protocol === ETH_P_IPV6 && to === ETH_P_IP) {
    const ret = netHdrPop(skb, off, lenDiff);
    if (ret < 0) return retS64(vm, ret);
    if (isGso(skb)) {
      if (skb.gsoType & SKB_GSO_TCPV6) skb.gsoType = (skb.gsoType & ~SKB_GSO_TCPV6) | SKB_GSO_TCPV4;
      skb.gsoType |= SKB_GSO_DODGY;
    }
    setProtocol(skb, ETH_P_IP);
    clearHash(skb);
    return retS64(vm, 0);
  }
  retS64(vm, -ERRNO.ENOTSUPP);
}

/** __bpf_skb_min_len: the packet may not be cut into its headers (or the CHECKSUM_PARTIAL field). */
function minLen(skb: Skb): number {
  let min = 0;
  let offset = skb.networkHeader - skb.data;
  if (skb.networkHeader !== HEADER_UNSET && offset > 0) min = offset;
  if (skb.transportHeader !== HEADER_UNSET) {
    offset = skb.transportHeader - skb.data;
    if (offset > 0) min = offset;
  }
  if (skb.ipSummed === CHECKSUM_PARTIAL) {
    offset = skb.csumStart - skb.data + skb.csumOffset + 2;
    if (offset > 0) min = offset;
  }
  return min;
}

function changeTail(vm: Vm): void {
  const skb = envOf(vm).skb;
  const newLen = argU32(vm, 2);
  if (vm.regs[6] !== 0 || vm.regs[7] !== 0 || newLen > BPF_SKB_MAX_LEN || newLen < minLen(skb)) {
    return retS64(vm, -ERRNO.EINVAL);
  }
  if (skb.encapsulation) return retS64(vm, -ERRNO.ENOTSUPP);
  const len = skb.len;
  if (newLen !== len) {
    // __skb_grow_rcsum / __skb_trim_rcsum: a CHECKSUM_COMPLETE sum no longer covers the packet
    resetComplete(skb);
    if (newLen > len) {
      skb.ensureTailroom(newLen - len);
      skb.put(newLen - len); // zero-filled like bpf_skb_grow_rcsum's memset
    } else {
      skb.trim(newLen);
    }
  }
  if (isGso(skb)) gsoReset(skb);
  retS64(vm, 0);
}

function resetComplete(skb: Skb): void {
  if (skb.ipSummed === CHECKSUM_COMPLETE) skb.ipSummed = CHECKSUM_NONE;
}

function changeHead(vm: Vm): void {
  const skb = envOf(vm).skb;
  const headRoom = argU32(vm, 2);
  const newLen = (skb.len + headRoom) >>> 0;
  if (
    vm.regs[6] !== 0 ||
    vm.regs[7] !== 0 ||
    (headRoom | 0) < 0 ||
    (!isGso(skb) && newLen > BPF_SKB_MAX_LEN) ||
    newLen < skb.len
  ) {
    return retS64(vm, -ERRNO.EINVAL);
  }
  skb.ensureHeadroom(headRoom); // skb_cow
  const data = skb.push(headRoom);
  skb.buf.fill(0, data, data + headRoom);
  skb.resetMacHeader();
  skb.macLen = skb.networkHeader === HEADER_UNSET ? 0 : skb.networkHeader - skb.macHeader;
  retS64(vm, 0);
}

function baseLen(skb: Skb): number {
  return skb.protocol === ETH_P_IP ? IPV4_HLEN : skb.protocol === ETH_P_IPV6 ? IPV6_HLEN : 0xffffffff;
}

/** bpf_skb_net_grow */
function netGrow(skb: Skb, off: number, lenDiff: number, flagsLo: number, flagsHi: number): number {
  const innerMacLen = flagsHi >>> 24;
  const encap = (flagsLo & ENCAP_L3_MASK) !== 0;
  let gsoType = SKB_GSO_DODGY;
  if (isGso(skb) && !isGsoTcp(skb)) {
    // udp gso_size delineates datagrams: only allowed when fixed
    if (!(skb.gsoType & SKB_GSO_UDP_L4) || !(flagsLo & BPF_F_ADJ_ROOM_FIXED_GSO)) return -ERRNO.ENOTSUPP;
  }
  skb.ensureHeadroom(lenDiff); // skb_cow_head, before any header offset is read
  let macLen = 0;
  let innerNet = 0;
  let innerTrans = 0;
  if (encap) {
    if (skb.protocol !== ETH_P_IP && skb.protocol !== ETH_P_IPV6) return -ERRNO.ENOTSUPP;
    if (flagsLo & BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 && flagsLo & BPF_F_ADJ_ROOM_ENCAP_L3_IPV6) return -ERRNO.EINVAL;
    if (flagsLo & BPF_F_ADJ_ROOM_ENCAP_L4_GRE && flagsLo & BPF_F_ADJ_ROOM_ENCAP_L4_UDP) return -ERRNO.EINVAL;
    if (flagsLo & BPF_F_ADJ_ROOM_ENCAP_L2_ETH && innerMacLen < ETH_HLEN) return -ERRNO.EINVAL;
    if (skb.encapsulation) return -ERRNO.EALREADY;
    macLen = skb.networkHeader - skb.macHeader;
    innerNet = skb.networkHeader;
    if (innerMacLen > lenDiff) return -ERRNO.EINVAL;
    innerTrans = skb.transportHeader;
  }
  netHdrPush(skb, off, lenDiff);
  if (encap) {
    skb.innerMacHeader = innerNet - innerMacLen;
    skb.innerNetworkHeader = innerNet;
    skb.innerTransportHeader = innerTrans;
    skb.innerProtocol = flagsLo & BPF_F_ADJ_ROOM_ENCAP_L2_ETH ? ETH_P_TEB : skb.protocol;
    skb.encapsulation = true;
    skb.networkHeader = skb.data + macLen;
    if (flagsLo & BPF_F_ADJ_ROOM_ENCAP_L4_UDP) gsoType |= SKB_GSO_UDP_TUNNEL;
    else if (flagsLo & BPF_F_ADJ_ROOM_ENCAP_L4_GRE) gsoType |= SKB_GSO_GRE;
    else if (flagsLo & BPF_F_ADJ_ROOM_ENCAP_L3_IPV6) gsoType |= SKB_GSO_IPXIP6;
    else if (flagsLo & BPF_F_ADJ_ROOM_ENCAP_L3_IPV4) gsoType |= SKB_GSO_IPXIP4;
    if (flagsLo & (BPF_F_ADJ_ROOM_ENCAP_L4_GRE | BPF_F_ADJ_ROOM_ENCAP_L4_UDP)) {
      const nhLen = flagsLo & BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 ? IPV6_HLEN : IPV4_HLEN;
      skb.transportHeader = skb.data + macLen + nhLen;
    }
    // the outer L3 protocol decides skb->protocol
    if (skb.protocol === ETH_P_IP && flagsLo & BPF_F_ADJ_ROOM_ENCAP_L3_IPV6) setProtocol(skb, ETH_P_IPV6);
    else if (skb.protocol === ETH_P_IPV6 && flagsLo & BPF_F_ADJ_ROOM_ENCAP_L3_IPV4) setProtocol(skb, ETH_P_IP);
  }
  if (isGso(skb)) {
    skb.gsoType |= gsoType;
    skb.gsoSegs = 0;
    // MSS shrinks with the header growth (tcxsim skbs have no frag_list to linearize)
    if (!(flagsLo & BPF_F_ADJ_ROOM_FIXED_GSO)) skb.gsoSize -= lenDiff;
  }
  return 0;
}

/** bpf_skb_net_shrink */
function netShrink(skb: Skb, off: number, lenDiff: number, flagsLo: number, flagsHi: number): number {
  if ((flagsLo & ~(BPF_F_ADJ_ROOM_FIXED_GSO | DECAP_L3_MASK | BPF_F_ADJ_ROOM_NO_CSUM_RESET)) !== 0 || flagsHi !== 0) {
    return -ERRNO.EINVAL;
  }
  if (isGso(skb) && !isGsoTcp(skb)) {
    if (!(skb.gsoType & SKB_GSO_UDP_L4) || !(flagsLo & BPF_F_ADJ_ROOM_FIXED_GSO)) return -ERRNO.ENOTSUPP;
  }
  const ret = netHdrPop(skb, off, lenDiff);
  if (ret < 0) return ret;
  if (skb.protocol === ETH_P_IP && flagsLo & BPF_F_ADJ_ROOM_DECAP_L3_IPV6) setProtocol(skb, ETH_P_IPV6);
  else if (skb.protocol === ETH_P_IPV6 && flagsLo & BPF_F_ADJ_ROOM_DECAP_L3_IPV4) setProtocol(skb, ETH_P_IP);
  if (isGso(skb)) {
    if (!(flagsLo & BPF_F_ADJ_ROOM_FIXED_GSO)) skb.gsoSize += lenDiff;
    skb.gsoType |= SKB_GSO_DODGY;
    skb.gsoSegs = 0;
  }
  return 0;
}

function adjustRoom(vm: Vm): void {
  const skb = envOf(vm).skb;
  const r = vm.regs;
  const lenDiff = r[4]; // s32
  const mode = r[6] >>> 0;
  const flagsLo = r[8];
  const flagsHi = r[9];
  const abs = Math.abs(lenDiff);
  const shrink = lenDiff < 0;
  let lenMin = baseLen(skb);
  if ((flagsLo & ~ADJ_ROOM_FLAGS_LO) !== 0 || (flagsHi & ~ADJ_ROOM_FLAGS_HI) !== 0) return retS64(vm, -ERRNO.EINVAL);
  if (abs > 0xfff) return retS64(vm, -ERRNO.EFAULT);
  if (skb.protocol !== ETH_P_IP && skb.protocol !== ETH_P_IPV6) return retS64(vm, -ERRNO.ENOTSUPP);
  let off = macHeaderLen(skb);
  if (mode === BPF_ADJ_ROOM_NET) off += baseLen(skb);
  else if (mode !== BPF_ADJ_ROOM_MAC) return retS64(vm, -ERRNO.ENOTSUPP);
  if (flagsLo & DECAP_L3_MASK) {
    if (!shrink) return retS64(vm, -ERRNO.EINVAL);
    const decap = flagsLo & DECAP_L3_MASK;
    if (decap === BPF_F_ADJ_ROOM_DECAP_L3_IPV4) lenMin = IPV4_HLEN;
    else if (decap === BPF_F_ADJ_ROOM_DECAP_L3_IPV6) lenMin = IPV6_HLEN;
    else return retS64(vm, -ERRNO.EINVAL);
  }
  const lenCur = skb.len - (skb.networkHeader - skb.data);
  if (
    (shrink && (abs >= lenCur || lenCur - abs < lenMin)) ||
    (!shrink && skb.len + abs > BPF_SKB_MAX_LEN && !isGso(skb))
  ) {
    return retS64(vm, -ERRNO.ENOTSUPP);
  }
  const ret = shrink ? netShrink(skb, off, abs, flagsLo, flagsHi) : netGrow(skb, off, abs, flagsLo, flagsHi);
  if (ret === 0 && !(flagsLo & BPF_F_ADJ_ROOM_NO_CSUM_RESET)) resetChecksumUnnecessary(skb);
  retS64(vm, ret);
}

defineHelper({ id: BPF_FUNC_skb_change_proto, fn: changeProto, changesPktData: true });
defineHelper({ id: BPF_FUNC_skb_change_tail, fn: changeTail, changesPktData: true });
defineHelper({ id: BPF_FUNC_skb_change_head, fn: changeHead, changesPktData: true });
defineHelper({ id: BPF_FUNC_skb_adjust_room, fn: adjustRoom, changesPktData: true });
