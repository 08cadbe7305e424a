// icmp.ts: ICMP for IPv4 (RFC 792): type, code, checksum and the 4-byte rest of header,
// read as identifier + sequence for echo request/reply. ICMPv6 (RFC 4443 2.1) has the same
// 8 bytes; icmpv6.ts reads and writes them with readIcmpHeader / writeIcmp.
import { get16, get32, put16, put32 } from './bytes.js';
import { ICMP_HLEN } from './constants.js';
import { truncated, type Truncated } from './result.js';

export interface IcmpHeader {
  kind: 'icmp';
  offset: number;
  type: number;
  code: number;
  checksum: number;
  /** Echo identifier and sequence (the rest-of-header halves, whatever the type). */
  id: number;
  seq: number;
  restOfHeader: number;
  payloadOffset: number;
}

export function parseIcmp(b: Uint8Array, off = 0, end = b.length): IcmpHeader | Truncated {
  return readIcmpHeader('icmp', b, off, end);
}

/** The 8-byte header ICMP and ICMPv6 share, as a header of `kind`. */
export function readIcmpHeader<K extends string>(kind: K, b: Uint8Array, off: number, end: number): (Omit<IcmpHeader, 'kind'> & { kind: K }) | Truncated {
  if (end - off < ICMP_HLEN) return truncated(kind, off, ICMP_HLEN, end - off);
  return {
    kind,
    offset: off,
    type: b[off]!,
    code: b[off + 1]!,
    checksum: get16(b, off + 2),
    id: get16(b, off + 4),
    seq: get16(b, off + 6),
    restOfHeader: get32(b, off + 4),
    payloadOffset: off + ICMP_HLEN,
  };
}

export interface IcmpFields {
  type: number;
  code?: number;
  /** For echo: id and seq; otherwise restOfHeader. */
  id?: number;
  seq?: number;
  restOfHeader?: number;
  checksum?: number;
}

/** Writes the 8-byte header (ICMPv4 or ICMPv6); returns its length. */
export function writeIcmp(b: Uint8Array, off: number, f: IcmpFields): number {
  b[off] = f.type;
  b[off + 1] = f.code ?? 0;
  put16(b, off + 2, f.checksum ?? 0);
  if (f.restOfHeader !== undefined) put32(b, off + 4, f.restOfHeader);
  else {
    put16(b, off + 4, f.id ?? 0);
    put16(b, off + 6, f.seq ?? 0);
  }
  return ICMP_HLEN;
}
