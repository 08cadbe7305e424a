// ipv6.ts: IPv6 headers (RFC 8200) and the walk over extension headers (hop-by-hop, routing,
// fragment, destination options, AH, mobility) to the upper-layer protocol, like the kernel's
// ipv6_skip_exthdr(). ESP and "no next header" end the walk; `protocol` is then that value.
import { formatIpv6, ipv6Bytes, type IpLike } from './addr.js';
import { get16, get32, put16, put32 } from './bytes.js';
import {
  IPPROTO_AH,
  IPPROTO_DSTOPTS,
  IPPROTO_FRAGMENT,
  IPPROTO_HOPOPTS,
  IPPROTO_MH,
  IPPROTO_ROUTING,
  IPV6_HLEN,
} from './constants.js';
import { malformed, truncated, type Malformed, type Truncated } from './result.js';

export interface Ipv6Extension {
  type: number;
  offset: number;
  length: number;
}

export interface Ipv6Fragment {
  /** In bytes. */
  offset: number;
  more: boolean;
  id: number;
}

export interface Ipv6Header {
  kind: 'ipv6';
  offset: number;
  trafficClass: number;
  flowLabel: number;
  payloadLength: number;
  /** The fixed header's next-header field. */
  nextHeader: number;
  hopLimit: number;
  src: string;
  dst: string;
  extensions: Ipv6Extension[];
  fragment: Ipv6Fragment | null;
  /** Upper-layer protocol after the extension headers. */
  protocol: number;
  /** Where that protocol's header starts. */
  payloadOffset: number;
  /** min(offset + 40 + payloadLength, end of the bytes). */
  payloadEnd: number;
  payloadTruncated: boolean;
}

const HBH_FAMILY = new Set([IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS, IPPROTO_MH, 139, 140]);

export function isIpv6ExtensionHeader(nh: number): boolean {
  return HBH_FAMILY.has(nh) || nh === IPPROTO_FRAGMENT || nh === IPPROTO_AH;
}

export function parseIpv6(b: Uint8Array, off = 0, end = b.length): Ipv6Header | Truncated | Malformed {
  if (end - off < IPV6_HLEN) return truncated('ipv6', off, IPV6_HLEN, end - off);
  const w0 = get32(b, off);
  if (w0 >>> 28 !== 6) return malformed('ipv6', off, `version ${w0 >>> 28}`);
  const payloadLength = get16(b, off + 4);
  const nextHeader = b[off + 6]!;
  const payloadEnd = Math.min(off + IPV6_HLEN + payloadLength, end);
  const extensions: Ipv6Extension[] = [];
  let fragment: Ipv6Fragment | null = null;
  let nh = nextHeader;
  let o = off + IPV6_HLEN;
  while (isIpv6ExtensionHeader(nh)) {
    if (payloadEnd - o < 8) return truncated('ipv6', o, 8, payloadEnd - o);
    let len: number;
    if (nh === IPPROTO_FRAGMENT) {
      len = 8;
      const fo = get16(b, o + 2);
      fragment = { offset: fo & 0xfff8, more: (fo & 1) !== 0, id: get32(b, o + 4) };
    } else if (nh === IPPROTO_AH) {
      len = (b[o + 1]! + 2) * 4;
    } else {
      len = (b[o + 1]! + 1) * 8;
    }
    if (payloadEnd - o < len) return truncated('ipv6', o, len, payloadEnd - o);
    extensions.push({ type: nh, offset: o, length: len });
    nh = b[o]!;
    o += len;
    // A later fragment carries no upper-layer header to walk into.
    if (fragment !== null && fragment.offset !== 0) break;
  }
  return {
    kind: 'ipv6',
    offset: off,
    trafficClass: (w0 >>> 20) & 0xff,
    flowLabel: w0 & 0xfffff,
    payloadLength,
    nextHeader,
    hopLimit: b[off + 7]!,
    src: formatIpv6(b, off + 8),
    dst: formatIpv6(b, off + 24),
    extensions,
    fragment,
    protocol: nh,
    payloadOffset: o,
    payloadEnd,
    payloadTruncated: payloadEnd < off + IPV6_HLEN + payloadLength,
  };
}

export interface Ipv6Fields {
  src: IpLike;
  dst: IpLike;
  nextHeader: number;
  /** Bytes after the fixed header. */
  payloadLength: number;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
}

/** Writes the 40-byte fixed header at `off`; returns 40. */
export function writeIpv6(b: Uint8Array, off: number, f: Ipv6Fields): number {
  put32(b, off, ((6 << 28) | ((f.trafficClass ?? 0) << 20) | ((f.flowLabel ?? 0) & 0xfffff)) >>> 0);
  put16(b, off + 4, f.payloadLength);
  b[off + 6] = f.nextHeader;
  b[off + 7] = f.hopLimit ?? 64;
  b.set(ipv6Bytes(f.src), off + 8);
  b.set(ipv6Bytes(f.dst), off + 24);
  return IPV6_HLEN;
}

/** Writes a generic extension header (hop-by-hop, destination options, routing) padded to 8 bytes; returns its length. */
export function writeIpv6Extension(b: Uint8Array, off: number, nextHeader: number, body: Uint8Array): number {
  const len = (2 + body.length + 7) & ~7;
  b.fill(0, off, off + len);
  b[off] = nextHeader;
  b[off + 1] = len / 8 - 1;
  b.set(body, off + 2);
  return len;
}

/** Writes an 8-byte fragment header; returns 8. */
export function writeIpv6Fragment(b: Uint8Array, off: number, nextHeader: number, frag: Ipv6Fragment): number {
  b[off] = nextHeader;
  b[off + 1] = 0;
  put16(b, off + 2, (frag.offset & 0xfff8) | (frag.more ? 1 : 0));
  put32(b, off + 4, frag.id);
  return 8;
}
