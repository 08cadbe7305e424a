// checksum.ts: the Internet checksum (RFC 1071): a ones'-complement sum of 16-bit words,
// the TCP/UDP/ICMPv6 pseudo-headers for IPv4 and IPv6, and compute/verify helpers. Sums are
// plain numbers (no overflow below 2^53 bytes); fold() reduces them to 16 bits.

/** Adds the bytes [off, off+len) as big-endian 16-bit words (odd tail padded with 0) to `acc`. */
export function sum16(b: Uint8Array, off: number, len: number, acc = 0): number {
  let s = acc;
  const last = off + (len & ~1);
  for (let i = off; i < last; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (len & 1) s += b[off + len - 1]! << 8;
  return s;
}

/** Folds carries back in: the 16-bit ones'-complement sum. */
export function fold(acc: number): number {
  let s = acc;
  while (s > 0xffff) s = (s % 0x10000) + Math.floor(s / 0x10000);
  return s;
}

/** The checksum field value for the bytes (with their checksum field zeroed), plus `acc`. */
export function internetChecksum(b: Uint8Array, off: number, len: number, acc = 0): number {
  return ~fold(sum16(b, off, len, acc)) & 0xffff;
}

/** True when the bytes, checksum field included, sum to 0xffff (the receiver's check). */
export function checksumOk(b: Uint8Array, off: number, len: number, acc = 0): boolean {
  return fold(sum16(b, off, len, acc)) === 0xffff;
}

/** Pseudo-header sum for IPv4: addresses at `srcOff`/`dstOff` (4 bytes each), protocol, L4 length. */
export function pseudoSumV4(b: Uint8Array, srcOff: number, dstOff: number, proto: number, l4len: number): number {
  return sum16(b, srcOff, 4, sum16(b, dstOff, 4)) + proto + l4len;
}

/** Pseudo-header sum for IPv6 (RFC 8200 8.1): 16-byte addresses, 32-bit length, next header. */
export function pseudoSumV6(b: Uint8Array, srcOff: number, dstOff: number, proto: number, l4len: number): number {
  return sum16(b, srcOff, 16, sum16(b, dstOff, 16)) + Math.floor(l4len / 0x10000) + (l4len & 0xffff) + proto;
}

/** Where the checksum field sits inside each transport header, by IP protocol. */
export function checksumFieldOffset(proto: number): number {
  switch (proto) {
    case 6: return 16; // TCP
    case 17: return 6; // UDP
    case 1: // ICMP
    case 58: return 2; // ICMPv6
    default: return -1;
  }
}

