// addr.ts: MAC, IPv4 and IPv6 addresses between bytes and text. IPv6 text follows RFC 5952
// (what inet_ntop and tcpdump print): lowercase, longest zero run (>= 2 groups) as "::".
// The parse functions throw SimError EINVAL: they read user-written scenario text; the tryParse
// ones answer undefined instead. The one copy of this text handling (netdev/addr.ts uses it too).
import { SimError } from '../errors.js';

export type MacLike = string | Uint8Array;
export type IpLike = string | Uint8Array;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function formatMac(b: Uint8Array, o = 0): string {
  return `${HEX[b[o]!]}:${HEX[b[o + 1]!]}:${HEX[b[o + 2]!]}:${HEX[b[o + 3]!]}:${HEX[b[o + 4]!]}:${HEX[b[o + 5]!]}`;
}

/** The 6 bytes of `aa:bb:cc:dd:ee:ff` (1 or 2 hex digits a group, `separators` between), or undefined. */
export function tryParseMacAddress(s: string, separators: string | RegExp = /[:-]/): Uint8Array | undefined {
  const parts = s.split(separators);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

export function parseMacAddress(s: string): Uint8Array {
  const mac = tryParseMacAddress(s);
  if (!mac) throw new SimError('EINVAL', `bad MAC address "${s}"`);
  return mac;
}

export function formatIpv4(b: Uint8Array, o = 0): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** The 4 bytes of a dotted quad (each part 1 to 3 digits, at most 255), or undefined. */
export function tryParseIpv4Address(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return Uint8Array.from(parts, Number);
}

export function parseIpv4Address(s: string): Uint8Array {
  const a = tryParseIpv4Address(s);
  if (!a) throw new SimError('EINVAL', `bad IPv4 address "${s}"`);
  return a;
}

/**
 * RFC 5952 text of the 16 bytes at `o`. IPv4-mapped addresses print their last 32 bits dotted,
 * as inet_ntop does, unless `mappedDotted` is false (then they stay hex groups).
 */
export function formatIpv6(b: Uint8Array, o = 0, mappedDotted = true): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!);
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (mappedDotted && bestAt === 0 && bestLen === 5 && g[5] === 0xffff) return `::ffff:${formatIpv4(b, o + 12)}`;
  const hex = (x: number) => x.toString(16);
  if (bestAt < 0) return g.map(hex).join(':');
  return `${g.slice(0, bestAt).map(hex).join(':')}::${g.slice(bestAt + bestLen).map(hex).join(':')}`;
}

/** The 16 bytes of IPv6 text (`::` once at most, an optional dotted IPv4 tail), or undefined. */
export function tryParseIpv6Address(s: string): Uint8Array | undefined {
  let text = s;
  const out = new Uint8Array(16);
  let tail4: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tail4 = tryParseIpv4Address(text.slice(lastColon + 1));
    if (!tail4) return undefined;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...tail];
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(all[i]!)) return undefined;
    const v = parseInt(all[i]!, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  }
  if (tail4) out.set(tail4, 12);
  return out;
}

export function parseIpv6Address(s: string): Uint8Array {
  const a = tryParseIpv6Address(s);
  if (!a) throw new SimError('EINVAL', `bad IPv6 address "${s}"`);
  return a;
}

export function macBytes(m: MacLike): Uint8Array {
  return typeof m === 'string' ? parseMacAddress(m) : m;
}

export function ipv4Bytes(a: IpLike): Uint8Array {
  return typeof a === 'string' ? parseIpv4Address(a) : a;
}

export function ipv6Bytes(a: IpLike): Uint8Array {
  return typeof a === 'string' ? parseIpv6Address(a) : a;
}
