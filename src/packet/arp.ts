// arp.ts: ARP packets (RFC 826). Addresses are printed as MAC/IPv4 text for the Ethernet +
// IPv4 case (hlen 6, plen 4) and as hex otherwise; `length` is 8 + 2*(hlen+plen).
import { formatIpv4, formatMac, ipv4Bytes, macBytes, type IpLike, type MacLike } from './addr.js';
import { get16, hex, put16 } from './bytes.js';
import { ARPHRD_ETHER, ETH_P_IP } from './constants.js';
import { truncated, type Truncated } from './result.js';

export const ARP_HLEN = 8;

export interface ArpHeader {
  kind: 'arp';
  offset: number;
  htype: number;
  ptype: number;
  hlen: number;
  plen: number;
  op: number;
  sha: string;
  spa: string;
  tha: string;
  tpa: string;
  length: number;
}


export function parseArp(b: Uint8Array, off = 0, end = b.length): ArpHeader | Truncated {
  if (end - off < ARP_HLEN) return truncated('arp', off, ARP_HLEN, end - off);
  const hlen = b[off + 4]!;
  const plen = b[off + 5]!;
  const length = ARP_HLEN + 2 * (hlen + plen);
  if (end - off < length) return truncated('arp', off, length, end - off);
  const hw = (o: number) => (hlen === 6 ? formatMac(b, o) : hex(b.subarray(o, o + hlen)));
  const pr = (o: number) => (plen === 4 ? formatIpv4(b, o) : hex(b.subarray(o, o + plen)));
  const a = off + ARP_HLEN;
  return {
    kind: 'arp',
    offset: off,
    htype: get16(b, off),
    ptype: get16(b, off + 2),
    hlen,
    plen,
    op: get16(b, off + 6),
    sha: hw(a),
    spa: pr(a + hlen),
    tha: hw(a + hlen + plen),
    tpa: pr(a + 2 * hlen + plen),
    length,
  };
}

export interface ArpFields {
  op: number;
  sha: MacLike;
  spa: IpLike;
  tha?: MacLike;
  tpa: IpLike;
}

/** Writes an Ethernet/IPv4 ARP packet (28 bytes) at `off`; returns its length. */
export function writeArp(b: Uint8Array, off: number, f: ArpFields): number {
  put16(b, off, ARPHRD_ETHER);
  put16(b, off + 2, ETH_P_IP);
  b[off + 4] = 6;
  b[off + 5] = 4;
  put16(b, off + 6, f.op);
  b.set(macBytes(f.sha), off + 8);
  b.set(ipv4Bytes(f.spa), off + 14);
  b.set(f.tha === undefined ? new Uint8Array(6) : macBytes(f.tha), off + 18);
  b.set(ipv4Bytes(f.tpa), off + 24);
  return 28;
}
