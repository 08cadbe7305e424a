// icmpv6.ts: ICMPv6 (RFC 4443) with echo identifier/sequence and the target address of
// neighbour solicitations/advertisements (RFC 4861), which summaries print.
import { formatIpv6, ipv6Bytes, type IpLike } from './addr.js';
import { ICMP_HLEN, NDISC_NEIGHBOUR_ADVERTISEMENT, NDISC_NEIGHBOUR_SOLICITATION } from './constants.js';
import { readIcmpHeader, writeIcmp, type IcmpFields, type IcmpHeader } from './icmp.js';
import type { Truncated } from './result.js';

/** The ICMP header (same 8 bytes) plus the NS/NA target address, when there is one and it fits. */
export interface Icmpv6Header extends Omit<IcmpHeader, 'kind'> {
  kind: 'icmpv6';
  target?: string;
}

export function parseIcmpv6(b: Uint8Array, off = 0, end = b.length): Icmpv6Header | Truncated {
  const h: Icmpv6Header | Truncated = readIcmpHeader('icmpv6', b, off, end);
  if (h.kind === 'truncated') return h;
  if ((h.type === NDISC_NEIGHBOUR_SOLICITATION || h.type === NDISC_NEIGHBOUR_ADVERTISEMENT) && end - off >= 24) {
    h.target = formatIpv6(b, off + 8);
  }
  return h;
}

export interface Icmpv6Fields extends IcmpFields {
  /** NS/NA target: written after the 8-byte header (the caller sizes the packet for it). */
  target?: IpLike;
}

/** Writes the header (and NS/NA target); returns 8, or 24 with a target. */
export function writeIcmpv6(b: Uint8Array, off: number, f: Icmpv6Fields): number {
  writeIcmp(b, off, f);
  if (f.target === undefined) return ICMP_HLEN;
  b.set(ipv6Bytes(f.target), off + 8);
  return ICMP_HLEN + 16;
}
