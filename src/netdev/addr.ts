// addr.ts: IPv4/IPv6 addresses, prefixes and MAC addresses as bytes, parsed and printed the way
// iproute2 does. Addresses are Uint8Arrays in network order (4 or 16 bytes). The text itself is
// read and written by packet/addr.ts; this file adds prefixes and the `where` in errors.
import { SimError } from '../errors.js';
import { formatIpv4, formatIpv6, formatMac, tryParseIpv4Address, tryParseIpv6Address, tryParseMacAddress } from '../packet/addr.js';

export { formatMac };

export type Family = 4 | 6;

export interface Prefix {
  readonly family: Family;
  readonly addr: Uint8Array;
  readonly len: number;
}

export function parseIp(s: string, where = 'address'): Uint8Array {
  const a = s.includes(':') ? tryParseIpv6Address(s) : tryParseIpv4Address(s);
  if (!a) throw new SimError('EINVAL', `${where}: "${s}" is not an IPv4 or IPv6 address`);
  return a;
}

export function familyOf(addr: Uint8Array): Family {
  return addr.length === 4 ? 4 : 6;
}

/** `10.0.0.0/8`, `fd00::/64`, `default` (IPv4) / `default6`; a bare address is a host prefix. */
export function parsePrefix(s: string, where = 'prefix'): Prefix {
  if (s === 'default' || s === '0.0.0.0/0') return { family: 4, addr: new Uint8Array(4), len: 0 };
  if (s === 'default6' || s === '::/0') return { family: 6, addr: new Uint8Array(16), len: 0 };
  const [a, l] = s.split('/');
  const addr = parseIp(a, where);
  const max = addr.length * 8;
  const len = l === undefined ? max : Number(l);
  if (!Number.isInteger(len) || len < 0 || len > max || (l !== undefined && !/^\d+$/.test(l))) {
    throw new SimError('EINVAL', `${where}: bad prefix length in "${s}"`);
  }
  return { family: familyOf(addr), addr, len };
}

/** iproute2-style text (inet_ntop): IPv4-mapped IPv6 addresses end dotted (`::ffff:10.0.0.1`). */
export function formatIp(addr: Uint8Array): string {
  return addr.length === 4 ? formatIpv4(addr) : formatIpv6(addr, 0);
}

export function formatPrefix(p: Prefix): string {
  return `${formatIp(p.addr)}/${p.len}`;
}

/** True when the first `len` bits of a and b agree. */
export function prefixMatch(a: Uint8Array, b: Uint8Array, len: number): boolean {
  const full = len >> 3;
  for (let i = 0; i < full; i++) if (a[i] !== b[i]) return false;
  const rest = len & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a[full] & mask) === (b[full] & mask);
}

export function parseMac(s: string, where = 'mac'): Uint8Array {
  const mac = tryParseMacAddress(s, ':');
  if (!mac) throw new SimError('EINVAL', `${where}: "${s}" is not a MAC address`);
  return mac;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
