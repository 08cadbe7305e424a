// eth-type-trans.ts: the kernel's eth_type_trans (net/ethernet/eth.c) on an Skb: binds it to a
// device, sets the MAC header, pulls the 14-byte Ethernet header, sets pkt_type from the
// destination MAC against the device's own and broadcast address, and returns the protocol.
import {
  ETH_ALEN,
  ETH_HLEN,
  ETH_P_802_2,
  ETH_P_802_3,
  ETH_P_802_3_MIN,
  PACKET_BROADCAST,
  PACKET_HOST,
  PACKET_MULTICAST,
  PACKET_OTHERHOST,
} from './constants.js';
import type { Skb } from './skb.js';

/** The device facts eth_type_trans needs. */
export interface EthDevice {
  ifindex: number;
  /** dev->dev_addr (6 bytes) */
  mac: Uint8Array;
  /** dev->broadcast (6 bytes): ff:ff:ff:ff:ff:ff for Ethernet, all zero for loopback */
  broadcast: Uint8Array;
}

const ZERO_MAC = new Uint8Array(ETH_ALEN);
/** The loopback device every namespace has (ifindex 1, zero MAC and zero broadcast address). */
export const LOOPBACK_DEVICE: EthDevice = { ifindex: 1, mac: ZERO_MAC, broadcast: ZERO_MAC };

/**
 * Sets skb.ifindex, macHeader, macLen, pktType and protocol (host order) and pulls ETH_HLEN.
 * The caller guarantees skb.len >= ETH_HLEN. Returns the protocol.
 */
export function ethTypeTrans(skb: Skb, dev: EthDevice): number {
  const b = skb.buf;
  const eth = skb.data;
  skb.ifindex = dev.ifindex;
  skb.macHeader = eth;
  skb.macLen = ETH_HLEN;
  skb.pull(ETH_HLEN);
  // eth_skb_pkt_type: only a destination other than the device's own changes pkt_type.
  if (!macEquals(b, eth, dev.mac)) {
    if ((b[eth] & 1) !== 0) {
      skb.pktType = macEquals(b, eth, dev.broadcast) ? PACKET_BROADCAST : PACKET_MULTICAST;
    } else {
      skb.pktType = PACKET_OTHERHOST;
    }
  } else {
    skb.pktType = PACKET_HOST;
  }
  const proto = (b[eth + 12] << 8) | b[eth + 13];
  let result: number;
  if (proto >= ETH_P_802_3_MIN) {
    result = proto;
  } else if (skb.len >= 2 && b[skb.data] === 0xff && b[skb.data + 1] === 0xff) {
    // Novell raw 802.3: the payload starts with 0xFFFF (a "checksum" no 802.2 frame can have).
    result = ETH_P_802_3;
  } else {
    result = ETH_P_802_2;
  }
  skb.protocol = result;
  return result;
}

function macEquals(b: Uint8Array, off: number, mac: Uint8Array): boolean {
  for (let i = 0; i < ETH_ALEN; i++) if (b[off + i] !== mac[i]) return false;
  return true;
}
