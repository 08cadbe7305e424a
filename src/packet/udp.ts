// udp.ts: UDP headers (RFC 768). `payloadEnd` is bounded by both the UDP length field and
// the bytes present; a length below 8 is malformed, as udp_rcv() would drop it.
import { get16, put16 } from './bytes.js';
import { UDP_HLEN } from './constants.js';
import { malformed, truncated, type Malformed, type Truncated } from './result.js';

export interface UdpHeader {
  kind: 'udp';
  offset: number;
  srcPort: number;
  dstPort: number;
  length: number;
  checksum: number;
  payloadOffset: number;
  payloadEnd: number;
}

export function parseUdp(b: Uint8Array, off = 0, end = b.length): UdpHeader | Truncated | Malformed {
  if (end - off < UDP_HLEN) return truncated('udp', off, UDP_HLEN, end - off);
  const length = get16(b, off + 4);
  if (length < UDP_HLEN) return malformed('udp', off, `length ${length} < 8`);
  return {
    kind: 'udp',
    offset: off,
    srcPort: get16(b, off),
    dstPort: get16(b, off + 2),
    length,
    checksum: get16(b, off + 6),
    payloadOffset: off + UDP_HLEN,
    payloadEnd: Math.min(off + length, end),
  };
}

export interface UdpFields {
  srcPort: number;
  dstPort: number;
  /** Header plus payload. */
  length: number;
  checksum?: number;
}

export function writeUdp(b: Uint8Array, off: number, f: UdpFields): number {
  put16(b, off, f.srcPort);
  put16(b, off + 2, f.dstPort);
  put16(b, off + 4, f.length);
  put16(b, off + 6, f.checksum ?? 0);
  return UDP_HLEN;
}
