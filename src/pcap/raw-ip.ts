// raw-ip.ts: turns a record into the Ethernet frame a simulated device receives. Ethernet
// records pass through; raw-IP records (LINKTYPE_RAW/IPV4/IPV6) gain a 14-byte header with
// the ethertype taken from the IP version nibble and configurable (default made-up) MACs.
import { SimError } from '../errors.js';
import { LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, isRawIpLinkType, linkTypeName } from './linktype.js';

export const ETH_HLEN = 14;
export const ETH_P_IP = 0x0800;
export const ETH_P_IPV6 = 0x86dd;

/** Locally administered addresses, so synthesized frames are recognisably ours. */
export const SYNTH_SRC_MAC: Uint8Array = Uint8Array.of(0x02, 0, 0, 0, 0, 0x01);
export const SYNTH_DST_MAC: Uint8Array = Uint8Array.of(0x02, 0, 0, 0, 0, 0x02);

export interface SynthMacs {
  src?: Uint8Array;
  dst?: Uint8Array;
}

/**
 * The ethertype for a raw-IP packet, or 0 when the bytes are not IPv4/IPv6. LINKTYPE_IPV4
 * and LINKTYPE_IPV6 fix it; the other raw types decide by the version nibble (libpcap does the same).
 */
export function rawIpEtherType(linkType: number, pkt: Uint8Array, off = 0, len = pkt.length - off): number {
  if (linkType === LINKTYPE_IPV4) return ETH_P_IP;
  if (linkType === LINKTYPE_IPV6) return ETH_P_IPV6;
  if (len < 1) return 0;
  const v = pkt[off]! >> 4;
  return v === 4 ? ETH_P_IP : v === 6 ? ETH_P_IPV6 : 0;
}

/**
 * Writes the frame for `pkt` (of link type `linkType`) into `out` and returns its length.
 * Throws EINVAL for link types a device cannot take and for raw records that are not IP.
 * Copies at most out.length bytes; size `out` for the largest frame plus ETH_HLEN.
 */
export function toEthernetFrame(
  linkType: number,
  pkt: Uint8Array,
  out: Uint8Array,
  macs: SynthMacs = {},
): number {
  if (linkType === LINKTYPE_ETHERNET) {
    const n = Math.min(pkt.length, out.length);
    out.set(n === pkt.length ? pkt : pkt.subarray(0, n));
    return n;
  }
  if (!isRawIpLinkType(linkType)) {
    throw new SimError('EINVAL', `link type ${linkType} (${linkTypeName(linkType)}) cannot feed an Ethernet device`);
  }
  const type = rawIpEtherType(linkType, pkt);
  if (type === 0) {
    throw new SimError('EINVAL', `raw IP record does not start with an IPv4 or IPv6 header (first byte 0x${(pkt[0] ?? 0).toString(16)})`);
  }
  out.set(macs.dst ?? SYNTH_DST_MAC, 0);
  out.set(macs.src ?? SYNTH_SRC_MAC, 6);
  out[12] = type >> 8;
  out[13] = type & 0xff;
  const n = Math.min(pkt.length, out.length - ETH_HLEN);
  out.set(n === pkt.length ? pkt : pkt.subarray(0, n), ETH_HLEN);
  return ETH_HLEN + n;
}

/** Allocating convenience form of toEthernetFrame (tests, inline packets). */
export function synthesizeEthernet(linkType: number, pkt: Uint8Array, macs: SynthMacs = {}): Uint8Array {
  const out = new Uint8Array(pkt.length + (linkType === LINKTYPE_ETHERNET ? 0 : ETH_HLEN));
  toEthernetFrame(linkType, pkt, out, macs);
  return out;
}
