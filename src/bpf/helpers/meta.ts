// meta.ts: helpers that change what the kernel knows about a packet rather than its length
// (net/core/filter.c): skb_change_type (pkt_type), skb_set_tstamp (tstamp and its clock), and
// skb_ecn_set_ce (marks Congestion Experienced in the IP header, fixing the IPv4 checksum
// incrementally as INET_ECN_set_ce does).
import { ERRNO } from '../../errors.js';
import {
  CHECKSUM_COMPLETE,
  ETH_P_IP,
  ETH_P_IPV6,
  PACKET_OTHERHOST,
  SKB_CLOCK_MONOTONIC,
  SKB_CLOCK_REALTIME,
  SKB_CLOCK_TAI,
} from '../skb/constants.js';
import { HEADER_UNSET, type Skb } from '../skb/skb.js';
import type { Vm } from '../vm.js';
import { envOf } from './env.js';
import { argU32, defineHelper, retS64 } from './registry.js';
import { ethTypeVlan } from './vlan.js';
import { csum16Add, csumAdd, csumSub, loadLe16, storeLe16 } from './wsum.js';

export const BPF_FUNC_skb_change_type = 32;
export const BPF_FUNC_skb_ecn_set_ce = 97;
export const BPF_FUNC_skb_set_tstamp = 192;

/** include/net/inet_ecn.h */
export const INET_ECN_NOT_ECT = 0;
export const INET_ECN_CE = 3;
export const INET_ECN_MASK = 3;

/** skb_pkt_type_ok: only HOST, BROADCAST, MULTICAST and OTHERHOST may be set or changed. */
function changeType(vm: Vm): void {
  const skb = envOf(vm).skb;
  const t = argU32(vm, 2);
  if (skb.pktType > PACKET_OTHERHOST || t > PACKET_OTHERHOST) return retS64(vm, -ERRNO.EINVAL);
  skb.pktType = t;
  retS64(vm, 0);
}

function setTstamp(vm: Vm): void {
  const skb = envOf(vm).skb;
  if (skb.protocol !== ETH_P_IP && skb.protocol !== ETH_P_IPV6) return retS64(vm, -ERRNO.EOPNOTSUPP);
  const tstamp = vm.reg(2);
  switch (argU32(vm, 3)) {
    case SKB_CLOCK_REALTIME:
      skb.tstamp = tstamp;
      skb.tstampType = SKB_CLOCK_REALTIME;
      break;
    case SKB_CLOCK_MONOTONIC:
      if (tstamp === 0n) return retS64(vm, -ERRNO.EINVAL);
      skb.tstamp = tstamp;
      skb.tstampType = SKB_CLOCK_MONOTONIC;
      break;
    case SKB_CLOCK_TAI:
      if (tstamp === 0n) return retS64(vm, -ERRNO.EINVAL);
      skb.tstamp = tstamp;
      skb.tstampType = SKB_CLOCK_TAI;
      break;
    default:
      return retS64(vm, -ERRNO.EINVAL);
  }
  retS64(vm, 0);
}

/** skb_protocol(skb, true): the L3 protocol behind in-frame VLAN tags (__vlan_get_protocol). */
function l3Protocol(skb: Skb): number {
  let type = skb.protocol;
  if (!ethTypeVlan(type)) return type;
  let depth = skb.macLen !== 0 ? skb.macLen - 4 : 14;
  if (skb.macLen !== 0 && skb.macLen < 4) return 0;
  let parse = 8; // VLAN_MAX_DEPTH, decremented twice per tag as in the kernel
  const b = skb.buf;
  do {
    if (parse-- === 0) return 0;
    if (depth + 4 > skb.len || --parse === 0) return 0;
    type = (b[skb.data + depth + 2] << 8) | b[skb.data + depth + 3];
    depth += 4;
  } while (ethTypeVlan(type));
  return type;
}

/** IP_ECN_set_ce: 1 when CE is (now) set, 0 for a Not-ECT packet. */
function ipv4SetCe(b: Uint8Array, nh: number): number {
  const tos = b[nh + 1];
  const ecn = (tos + 1) & INET_ECN_MASK;
  // after +1: NOT_ECT -> 01, ECT(1) -> 10, ECT(0) -> 11, CE -> 00
  if (!(ecn & 2)) return ecn === 0 ? 1 : 0;
  // check += htons(0xFFFB + ecn), a 16-bit ones'-complement add on the field as the CPU reads it
  const add = (0xfffb + ecn) & 0xffff;
  const addLe = ((add & 0xff) << 8) | (add >>> 8);
  storeLe16(b, nh + 10, csum16Add(loadLe16(b, nh + 10), addLe));
  b[nh + 1] = tos | INET_ECN_CE;
  return 1;
}

/** IP6_ECN_set_ce */
function ipv6SetCe(skb: Skb, nh: number): number {
  const b = skb.buf;
  const dsfield = ((b[nh] << 4) | (b[nh + 1] >>> 4)) & 0xff;
  if ((dsfield & INET_ECN_MASK) === INET_ECN_NOT_ECT) return 0;
  const from = (b[nh] | (b[nh + 1] << 8) | (b[nh + 2] << 16) | (b[nh + 3] << 24)) >>> 0;
  b[nh + 1] |= INET_ECN_CE << 4;
  const to = (b[nh] | (b[nh + 1] << 8) | (b[nh + 2] << 16) | (b[nh + 3] << 24)) >>> 0;
  if (skb.ipSummed === CHECKSUM_COMPLETE) skb.csum = csumAdd(csumSub(skb.csum, from), to);
  return 1;
}

function ecnSetCe(vm: Vm): void {
  const skb = envOf(vm).skb;
  const proto = l3Protocol(skb);
  const hlen = proto === ETH_P_IP ? 20 : proto === ETH_P_IPV6 ? 40 : 0;
  if (hlen === 0 || skb.len < hlen) return retS64(vm, 0);
  // INET_ECN_set_ce: the header at the network offset must be whole
  const nh = skb.networkHeader;
  if (nh === HEADER_UNSET || nh + hlen > skb.tail) return retS64(vm, 0);
  retS64(vm, proto === ETH_P_IP ? ipv4SetCe(skb.buf, nh) : ipv6SetCe(skb, nh));
}

defineHelper({ id: BPF_FUNC_skb_change_type, fn: changeType });
defineHelper({ id: BPF_FUNC_skb_set_tstamp, fn: setTstamp });
defineHelper({ id: BPF_FUNC_skb_ecn_set_ce, fn: ecnSetCe });
