// ipv4.ts: IPv4 headers (RFC 791) with options and the header checksum. The parser checks
// version, IHL and total length like ip_rcv_core() does, but reports instead of dropping;
// `payloadTruncated` says the capture ends before totalLength does.
import { formatIpv4, ipv4Bytes, type IpLike } from './addr.js';
import { get16, put16 } from './bytes.js';
import { checksumOk, internetChecksum } from './checksum.js';
import { IPOPT_END, IPOPT_NOOP, IPV4_HLEN, IP_DF, IP_MF, IP_OFFMASK } from './constants.js';
import { malformed, truncated, type Malformed, type Truncated } from './result.js';

export interface Ipv4Option {
  type: number;
  /** Whole option length including type and length bytes (1 for END/NOOP). */
  length: number;
  offset: number;
}

export interface Ipv4Header {
  kind: 'ipv4';
  offset: number;
  headerLength: number;
  dscp: number;
  ecn: number;
  totalLength: number;
  id: number;
  df: boolean;
  mf: boolean;
  /** Fragment offset in bytes (the field times 8). */
  fragOffset: number;
  ttl: number;
  protocol: number;
  checksum: number;
  checksumOk: boolean;
  src: string;
  dst: string;
  options: Ipv4Option[];
  payloadOffset: number;
  /** min(offset + totalLength, end of the bytes). */
  payloadEnd: number;
  payloadTruncated: boolean;
}

export function parseIpv4(b: Uint8Array, off = 0, end = b.length): Ipv4Header | Truncated | Malformed {
  if (end - off < IPV4_HLEN) return truncated('ipv4', off, IPV4_HLEN, end - off);
  const vihl = b[off]!;
  if (vihl >> 4 !== 4) return malformed('ipv4', off, `version ${vihl >> 4}`);
  const hlen = (vihl & 0x0f) * 4;
  if (hlen < IPV4_HLEN) return malformed('ipv4', off, `header length ${hlen} < 20`);
  if (end - off < hlen) return truncated('ipv4', off, hlen, end - off);
  const totalLength = get16(b, off + 2);
  if (totalLength < hlen) return malformed('ipv4', off, `total length ${totalLength} < header length ${hlen}`);
  const options: Ipv4Option[] = [];
  for (let o = off + IPV4_HLEN; o < off + hlen; ) {
    const type = b[o]!;
    if (type === IPOPT_END) {
      options.push({ type, length: 1, offset: o });
      break;
    }
    if (type === IPOPT_NOOP) {
      options.push({ type, length: 1, offset: o });
      o++;
      continue;
    }
    const len = o + 1 < off + hlen ? b[o + 1]! : 0;
    if (len < 2 || o + len > off + hlen) return malformed('ipv4', off, `option ${type} at ${o - off} has length ${len}`);
    options.push({ type, length: len, offset: o });
    o += len;
  }
  const frag = get16(b, off + 6);
  const payloadEnd = Math.min(off + totalLength, end);
  return {
    kind: 'ipv4',
    offset: off,
    headerLength: hlen,
    dscp: b[off + 1]! >> 2,
    ecn: b[off + 1]! & 3,
    totalLength,
    id: get16(b, off + 4),
    df: (frag & IP_DF) !== 0,
    mf: (frag & IP_MF) !== 0,
    fragOffset: (frag & IP_OFFMASK) * 8,
    ttl: b[off + 8]!,
    protocol: b[off + 9]!,
    checksum: get16(b, off + 10),
    checksumOk: checksumOk(b, off, hlen),
    src: formatIpv4(b, off + 12),
    dst: formatIpv4(b, off + 16),
    options,
    payloadOffset: off + hlen,
    payloadEnd,
    payloadTruncated: payloadEnd < off + totalLength,
  };
}

export interface Ipv4Fields {
  src: IpLike;
  dst: IpLike;
  protocol: number;
  /** Header plus payload. */
  totalLength: number;
  ttl?: number;
  id?: number;
  dscp?: number;
  ecn?: number;
  df?: boolean;
  mf?: boolean;
  /** In bytes; a multiple of 8. */
  fragOffset?: number;
  /** Raw option bytes; padded here with END to a multiple of 4. */
  options?: Uint8Array;
}

export function ipv4HeaderLength(f: { options?: Uint8Array }): number {
  return IPV4_HLEN + (((f.options?.length ?? 0) + 3) & ~3);
}

/** Writes the header with a correct checksum at `off`; returns its length. */
export function writeIpv4(b: Uint8Array, off: number, f: Ipv4Fields): number {
  const hlen = ipv4HeaderLength(f);
  b[off] = 0x40 | (hlen >> 2);
  b[off + 1] = ((f.dscp ?? 0) << 2) | (f.ecn ?? 0);
  put16(b, off + 2, f.totalLength);
  put16(b, off + 4, f.id ?? 0);
  put16(b, off + 6, (f.df ? IP_DF : 0) | (f.mf ? IP_MF : 0) | (((f.fragOffset ?? 0) >> 3) & IP_OFFMASK));
  b[off + 8] = f.ttl ?? 64;
  b[off + 9] = f.protocol;
  put16(b, off + 10, 0);
  b.set(ipv4Bytes(f.src), off + 12);
  b.set(ipv4Bytes(f.dst), off + 16);
  if (f.options) {
    b.set(f.options, off + IPV4_HLEN);
    b.fill(IPOPT_END, off + IPV4_HLEN + f.options.length, off + hlen);
  }
  setIpv4Checksum(b, off);
  return hlen;
}

/** Recomputes the header checksum of the IPv4 header at `off` (as ip_send_check does). */
export function setIpv4Checksum(b: Uint8Array, off: number): number {
  const hlen = (b[off]! & 0x0f) * 4;
  put16(b, off + 10, 0);
  const c = internetChecksum(b, off, hlen);
  put16(b, off + 10, c);
  return c;
}
