// l4-checksum.ts: compute, set and verify the checksum of the transport header after an
// IPv4 or IPv6 header: TCP, UDP and ICMPv6 with the pseudo-header, ICMP without. UDP keeps
// RFC 768's rules: a computed 0 is sent as 0xffff, and 0 over IPv4 means "no checksum".
import { get16, put16 } from './bytes.js';
import { checksumFieldOffset, fold, pseudoSumV4, pseudoSumV6, sum16 } from './checksum.js';
import { IPPROTO_ICMP, IPPROTO_UDP } from './constants.js';
import type { Ipv4Header } from './ipv4.js';
import type { Ipv6Header } from './ipv6.js';

type IpHeader = Ipv4Header | Ipv6Header;

function pseudo(b: Uint8Array, ip: IpHeader, len: number): number {
  if (ip.protocol === IPPROTO_ICMP && ip.kind === 'ipv4') return 0;
  return ip.kind === 'ipv4'
    ? pseudoSumV4(b, ip.offset + 12, ip.offset + 16, ip.protocol, len)
    : pseudoSumV6(b, ip.offset + 8, ip.offset + 24, ip.protocol, len);
}

/** A fragment holds only part of the segment the checksum covers. */
function isFragment(ip: IpHeader): boolean {
  return ip.kind === 'ipv4' ? ip.mf || ip.fragOffset !== 0 : ip.fragment !== null;
}

/**
 * The checksum the transport header should carry (its current field ignored), or -1 for a
 * protocol without one here or when the segment is not all present (cut short, or a fragment).
 */
export function transportChecksum(b: Uint8Array, ip: IpHeader): number {
  const field = checksumFieldOffset(ip.protocol);
  const off = ip.payloadOffset;
  const len = ip.payloadEnd - off;
  if (field < 0 || ip.payloadTruncated || isFragment(ip) || len < field + 2) return -1;
  const s = sum16(b, off, len, pseudo(b, ip, len)) - get16(b, off + field);
  const c = ~fold(s) & 0xffff;
  return c === 0 && ip.protocol === IPPROTO_UDP ? 0xffff : c;
}

/** Writes the correct transport checksum; returns it (or -1 as transportChecksum). */
export function setTransportChecksum(b: Uint8Array, ip: IpHeader): number {
  const c = transportChecksum(b, ip);
  if (c >= 0) put16(b, ip.payloadOffset + checksumFieldOffset(ip.protocol), c);
  return c;
}

/** True when the transport checksum is right (or absent, for UDP over IPv4); null when it cannot be checked. */
export function verifyTransportChecksum(b: Uint8Array, ip: IpHeader): boolean | null {
  const field = checksumFieldOffset(ip.protocol);
  const off = ip.payloadOffset;
  const len = ip.payloadEnd - off;
  if (field < 0 || ip.payloadTruncated || isFragment(ip) || len < field + 2) return null;
  if (ip.protocol === IPPROTO_UDP && ip.kind === 'ipv4' && get16(b, off + field) === 0) return true;
  return fold(sum16(b, off, len, pseudo(b, ip, len))) === 0xffff;
}
