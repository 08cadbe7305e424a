// icmpv6.ts: ICMPv6 (RFC 4443) with echo identifier/sequence and the target address of
// neighbour solicitations/advertisements (RFC 4861), which summaries print.
import { formatIpv6, ipv6Bytes, type IpLike } from './addr.js';
import { get16, get32, put16, put32 } from './bytes.js';
import { ICMP_HLEN, NDISC_NEIGHBOUR_ADVERTISEMENT, NDISC_NEIGHBOUR_SOLICITATION } from './constants.js';
import { truncated, type Truncated } from './result.js';

export interface Icmpv6Header {
  kind: 'icmpv6';
  offset: number;
  type: number;
  code: number;
  checksum: number;
  id: number;
  seq: number;
  restOfHeader: number;
  /** NS/NA target address, when the message has one and it fits. */
  target?: string;
  payloadOffset: number;
}

export function parseIcmpv6(b: Uint8Array, off = 0, end = b.length): Icmpv6Header | Truncated {
  if (end - off < ICMP_HLEN) return truncated('icmpv6', off, ICMP_HLEN, end - off);
  const type = b[off]!;
  const h: Icmpv6Header = {
    kind: 'icmpv6',
    offset: off,
    type,
    code: b[off + 1]!,
    checksum: get16(b, off + 2),
    id: get16(b, off + 4),
    seq: get16(b, off + 6),
    restOfHeader: get32(b, off + 4),
    payloadOffset: off + ICMP_HLEN,
  };
  if ((type === NDISC_NEIGHBOUR_SOLICITATION || type === NDISC_NEIGHBOUR_ADVERTISEMENT) && end - off >= 24) {
    h.target = formatIpv6(b, off + 8);
  }
  return h;
}

export interface Icmpv6Fields {
  type: number;
  code?: number;
  id?: number;
  seq?: number;
  restOfHeader?: number;
  /** NS/NA target: written after the 8-byte header (the caller sizes the packet for it). */
  target?: IpLike;
  checksum?: number;
}

/** Writes the header (and NS/NA target); returns 8, or 24 with a target. */
export function writeIcmpv6(b: Uint8Array, off: number, f: Icmpv6Fields): number {
  b[off] = f.type;
  b[off + 1] = f.code ?? 0;
  put16(b, off + 2, f.checksum ?? 0);
  if (f.restOfHeader !== undefined) put32(b, off + 4, f.restOfHeader);
  else {
    put16(b, off + 4, f.id ?? 0);
    put16(b, off + 6, f.seq ?? 0);
  }
  if (f.target === undefined) return ICMP_HLEN;
  b.set(ipv6Bytes(f.target), off + 8);
  return ICMP_HLEN + 16;
}
