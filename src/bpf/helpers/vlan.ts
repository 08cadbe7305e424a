// vlan.ts: skb_vlan_push / skb_vlan_pop (net/core/filter.c over net/core/skbuff.c). A pushed
// tag becomes out-of-band metadata (vlan_present/tci/proto); an earlier out-of-band tag is first
// written into the frame. Pop drops the out-of-band tag, else the first in-frame 802.1Q/802.1ad
// header, and promotes a next in-frame tag to out-of-band.
//
//   push with a tag present:  [dst|src|type ...] -> [dst|src|vlan_proto|tci|type ...]
import { ERRNO } from '../../errors.js';
import { ETH_ALEN, ETH_HLEN, ETH_P_802_2, ETH_P_802_3, ETH_P_802_3_MIN, ETH_P_8021AD, ETH_P_8021Q } from '../skb/constants.js';
import { HEADER_UNSET, type Skb } from '../skb/skb.js';
import type { Vm } from '../vm.js';
import { envOf } from './env.js';
import { defineHelper, retS64 } from './registry.js';
import { ensureWritable, postpullRcsum, postpushRcsum, pullMacRcsum, pushMacRcsum } from './skb-ops.js';

export const BPF_FUNC_skb_vlan_push = 18;
export const BPF_FUNC_skb_vlan_pop = 19;

export const VLAN_HLEN = 4;
export const VLAN_ETH_HLEN = 18;

export function ethTypeVlan(proto: number): boolean {
  return proto === ETH_P_8021Q || proto === ETH_P_8021AD;
}

/** __vlan_insert_tag with mac_len ETH_HLEN: opens 4 bytes after the MAC addresses. */
function insertTag(skb: Skb, proto: number, tci: number): void {
  skb.ensureHeadroom(VLAN_HLEN); // skb_cow_head
  const d = skb.push(VLAN_HLEN);
  const b = skb.buf;
  b.copyWithin(d, d + VLAN_HLEN, d + VLAN_HLEN + 2 * ETH_ALEN);
  if (skb.macHeader !== HEADER_UNSET) skb.macHeader -= VLAN_HLEN;
  b[d + 12] = proto >>> 8;
  b[d + 13] = proto & 0xff;
  b[d + 14] = (tci >>> 8) & 0xff;
  b[d + 15] = tci & 0xff;
}

/** skb_vlan_push */
function vlanPush(skb: Skb, proto: number, tci: number): number {
  if (skb.vlanPresent) {
    if (skb.data !== skb.macHeader) return -ERRNO.EINVAL;
    insertTag(skb, skb.vlanProto, skb.vlanTci);
    skb.protocol = skb.vlanProto;
    skb.macLen += VLAN_HLEN;
    postpushRcsum(skb, skb.data + 2 * ETH_ALEN, VLAN_HLEN, 0);
  }
  skb.vlanPresent = true;
  skb.vlanProto = proto;
  skb.vlanTci = tci & 0xffff;
  return 0;
}

/** __skb_vlan_pop: removes the in-frame tag after the MAC addresses; returns its TCI or -errno. */
function popInFrame(skb: Skb): number {
  if (skb.data !== skb.macHeader) return -ERRNO.EINVAL;
  if (!ensureWritable(skb, VLAN_ETH_HLEN)) return -ERRNO.ENOMEM;
  const b = skb.buf;
  const d = skb.data;
  postpullRcsum(skb, d + 2 * ETH_ALEN, VLAN_HLEN, 0);
  const tci = (b[d + ETH_HLEN] << 8) | b[d + ETH_HLEN + 1];
  const encap = (b[d + ETH_HLEN + 2] << 8) | b[d + ETH_HLEN + 3];
  b.copyWithin(d + VLAN_HLEN, d, d + 2 * ETH_ALEN);
  // vlan_set_encap_proto: an 802.3 length field means raw 802.3 (0xffff payload) or 802.2
  if (encap >= ETH_P_802_3_MIN) skb.protocol = encap;
  else if (skb.len >= VLAN_ETH_HLEN + 2 && b[d + VLAN_ETH_HLEN] === 0xff && b[d + VLAN_ETH_HLEN + 1] === 0xff) skb.protocol = ETH_P_802_3;
  else skb.protocol = ETH_P_802_2;
  skb.pull(VLAN_HLEN);
  skb.macHeader += VLAN_HLEN;
  if (skb.networkHeader === HEADER_UNSET || skb.networkHeader - skb.data < ETH_HLEN) skb.networkHeader = skb.data + ETH_HLEN;
  skb.macLen = skb.networkHeader - skb.macHeader;
  return tci;
}

/** skb_vlan_pop */
function vlanPop(skb: Skb): number {
  if (skb.vlanPresent) {
    skb.vlanPresent = false;
    skb.vlanTci = 0;
    skb.vlanProto = 0;
  } else {
    if (!ethTypeVlan(skb.protocol)) return 0;
    const r = popInFrame(skb);
    if (r < 0) return r;
  }
  if (!ethTypeVlan(skb.protocol)) return 0;
  const proto = skb.protocol;
  const tci = popInFrame(skb);
  if (tci < 0) return tci;
  skb.vlanPresent = true;
  skb.vlanProto = proto;
  skb.vlanTci = tci;
  return 0;
}

defineHelper({
  id: BPF_FUNC_skb_vlan_push,
  changesPktData: true,
  fn: (vm: Vm) => {
    const skb = envOf(vm).skb;
    const raw = vm.regs[4] & 0xffff; // __be16 as the program passed it
    let proto = ((raw & 0xff) << 8) | (raw >>> 8);
    if (!ethTypeVlan(proto)) proto = ETH_P_8021Q; // the kernel quietly uses 802.1Q
    pushMacRcsum(skb);
    const ret = vlanPush(skb, proto, vm.regs[6] & 0xffff);
    pullMacRcsum(skb);
    if (skb.networkHeader !== HEADER_UNSET && skb.macHeader !== HEADER_UNSET) skb.macLen = skb.networkHeader - skb.macHeader;
    retS64(vm, ret);
  },
});

defineHelper({
  id: BPF_FUNC_skb_vlan_pop,
  changesPktData: true,
  fn: (vm: Vm) => {
    const skb = envOf(vm).skb;
    pushMacRcsum(skb);
    const ret = vlanPop(skb);
    pullMacRcsum(skb);
    retS64(vm, ret);
  },
});
