// addr.ts: IPv4/IPv6 addresses, prefixes and MAC addresses as bytes, parsed and printed the way
// iproute2 does. Addresses are Uint8Arrays in network order (4 or 16 bytes).
import { SimError } from '../errors.js';

export type Family = 4 | 6;

export interface Prefix {
  readonly family: Family;
  readonly addr: Uint8Array;
  readonly len: number;
}

export function parseIpv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i])) return undefined;
    const v = Number(parts[i]);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

export function parseIpv6(s: string): Uint8Array | undefined {
  let head = s;
  let tail4: Uint8Array | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.') && lastColon >= 0) {
    tail4 = parseIpv4(s.slice(lastColon + 1));
    if (!tail4) return undefined;
    head = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.split('::');
  if (dbl.length > 2) return undefined;
  const groups = (x: string): string[] => (x === '' ? [] : x.split(':'));
  const left = groups(dbl[0]);
  const right = dbl.length === 2 ? groups(dbl[1]) : [];
  const fill = 8 - left.length - right.length;
  if (dbl.length === 1 ? left.length !== 8 : fill < 1) return undefined;
  const all = [...left, ...new Array<string>(dbl.length === 2 ? fill : 0).fill('0'), ...right];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(all[i])) return undefined;
    const v = parseInt(all[i], 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  }
  if (tail4) out.set(tail4, 12);
  return out;
}

export function parseIp(s: string, where = 'address'): Uint8Array {
  const a = s.includes(':') ? parseIpv6(s) : parseIpv4(s);
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

export function formatIp(addr: Uint8Array): string {
  if (addr.length === 4) return Array.from(addr).join('.');
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((addr[i] << 8) | addr[i + 1]);
  // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on ties.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
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
  const parts = s.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new SimError('EINVAL', `${where}: "${s}" is not a MAC address`);
  }
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

export function formatMac(mac: Uint8Array): string {
  return Array.from(mac.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(':');
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
