// hash.ts: get_hash_recalc, set_hash, set_hash_invalid (net/core/filter.c over skb_get_hash).
// The kernel's flow hash seeds jhash with a random per-boot key, so no simulator can match its
// value; tcxsim hashes the same flow keys (addresses and ports in a direction-independent order,
// IP protocol, EtherType; the IPv6 flow label instead of ports when set) with FLOW_HASH_SEED.
// Same flow, same hash, on any machine; 0 becomes 1 as in the kernel.
import { ETH_P_IP, ETH_P_IPV6 } from '../skb/constants.js';
import { jhash } from '../maps/jhash.js';
import { HEADER_UNSET, type Skb } from '../skb/skb.js';
import { envOf } from './env.js';
import { argU32, defineHelper, retS64, retU32 } from './registry.js';
import { clearHash } from './skb-ops.js';
import { ethTypeVlan } from './vlan.js';

export const BPF_FUNC_get_hash_recalc = 34;
export const BPF_FUNC_set_hash_invalid = 41;
export const BPF_FUNC_set_hash = 48;

/** The fixed seed standing in for the kernel's random hashrnd. */
export const FLOW_HASH_SEED = 0x7463_7873; // "tcxs"

const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_DCCP = 33;
const IPPROTO_SCTP = 132;
const IPPROTO_UDPLITE = 136;
/** VLAN_MAX_DEPTH */
const VLAN_MAX_DEPTH = 8;

/**
 * Flow keys, laid out for hashing: [0..16) addr A, [16..32) addr B, [32..34) port A,
 * [34..36) port B, [36..38) n_proto, [38] ip_proto, [39] pad, [40..44) IPv6 flow label.
 */
const KEYS = new Uint8Array(44);

function hasPorts(proto: number): boolean {
  return proto === IPPROTO_TCP || proto === IPPROTO_UDP || proto === IPPROTO_UDPLITE || proto === IPPROTO_SCTP || proto === IPPROTO_DCCP;
}

/** KEYS[a..a+n) > KEYS[b..b+n), compared byte-wise (the kernel compares the addresses as integers). */
function greater(a: number, b: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (KEYS[a + i] !== KEYS[b + i]) return KEYS[b + i] < KEYS[a + i];
  return false;
}

function swapKeys(a: number, b: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const t = KEYS[a + i];
    KEYS[a + i] = KEYS[b + i];
    KEYS[b + i] = t;
  }
}

/** Dissects the packet from the network header; returns whether L4 ports were found. */
function dissect(skb: Skb): boolean {
  KEYS.fill(0);
  const b = skb.buf;
  const end = skb.tail;
  let proto = skb.protocol;
  let nh = skb.networkHeader === HEADER_UNSET ? skb.data : skb.networkHeader;
  for (let depth = 0; ethTypeVlan(proto) && depth < VLAN_MAX_DEPTH; depth++) {
    if (nh + 4 > end) break;
    proto = (b[nh + 2] << 8) | b[nh + 3];
    nh += 4;
  }
  KEYS[36] = proto >>> 8;
  KEYS[37] = proto & 0xff;
  let ipProto = 0;
  let l4 = -1;
  let addrLen = 0;
  if (proto === ETH_P_IP && nh + 20 <= end) {
    const ihl = (b[nh] & 0x0f) * 4;
    ipProto = b[nh + 9];
    KEYS.set(b.subarray(nh + 12, nh + 16), 0);
    KEYS.set(b.subarray(nh + 16, nh + 20), 16);
    addrLen = 4;
    const frag = ((b[nh + 6] & 0x3f) << 8) | b[nh + 7]; // MF flag + fragment offset
    if (frag === 0 && ihl >= 20) l4 = nh + ihl;
  } else if (proto === ETH_P_IPV6 && nh + 40 <= end) {
    ipProto = b[nh + 6];
    KEYS.set(b.subarray(nh + 8, nh + 24), 0);
    KEYS.set(b.subarray(nh + 24, nh + 40), 16);
    addrLen = 16;
    const label = ((b[nh + 1] & 0x0f) << 16) | (b[nh + 2] << 8) | b[nh + 3];
    if (label !== 0) {
      // FLOW_DISSECTOR_F_STOP_AT_FLOW_LABEL: the label stands in for the ports
      KEYS[41] = label >>> 16;
      KEYS[42] = (label >>> 8) & 0xff;
      KEYS[43] = label & 0xff;
    } else {
      l4 = nh + 40;
    }
  }
  KEYS[38] = ipProto;
  let ports = false;
  if (l4 >= 0 && hasPorts(ipProto) && l4 + 4 <= end) {
    KEYS.set(b.subarray(l4, l4 + 4), 32);
    ports = true;
  }
  // __flow_hash_consistentify: both directions of a flow hash alike
  if (addrLen > 0) {
    if (greater(0, 16, addrLen)) {
      swapKeys(0, 16, addrLen);
      swapKeys(32, 34, 2);
    } else if (!greater(16, 0, addrLen) && greater(32, 34, 2)) {
      swapKeys(32, 34, 2);
    }
  }
  return ports;
}

/** skb_get_hash: a hash set by hardware, software or set_hash is kept; else computed now. */
export function skbGetHash(skb: Skb): number {
  if (!skb.l4Hash && !skb.swHash) {
    const l4 = dissect(skb);
    const h = jhash(KEYS, 0, KEYS.length, FLOW_HASH_SEED);
    skb.hash = h === 0 ? 1 : h;
    skb.l4Hash = l4;
    skb.swHash = true;
  }
  return skb.hash;
}

defineHelper({ id: BPF_FUNC_get_hash_recalc, fn: (vm) => retU32(vm, skbGetHash(envOf(vm).skb)) });

defineHelper({
  id: BPF_FUNC_set_hash_invalid,
  fn: (vm) => {
    clearHash(envOf(vm).skb);
    retS64(vm, 0);
  },
});

defineHelper({
  id: BPF_FUNC_set_hash,
  fn: (vm) => {
    // __skb_set_sw_hash(skb, hash, true): an L4 software hash that skb_get_hash keeps
    const skb = envOf(vm).skb;
    skb.hash = argU32(vm, 2);
    skb.swHash = true;
    skb.l4Hash = true;
    retS64(vm, 0);
  },
});
