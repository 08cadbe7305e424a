// jhash.ts: Bob Jenkins' lookup3 hash as the kernel has it (include/linux/jhash.h). Hash maps
// hash keys with jhash(key, key_size, seed), so with seed 0 (BPF_F_ZERO_SEED) our bucket of a key
// is the kernel's and get_next_key walks elements in the kernel's order.

export const JHASH_INITVAL = 0xdeadbeef;

function rol32(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** __jhash_final: the last mixing of a, b, c; returns c as a uint32. */
function jhashFinal(a: number, b: number, c: number): number {
  c ^= b; c = (c - rol32(b, 14)) | 0;
  a ^= c; a = (a - rol32(c, 11)) | 0;
  b ^= a; b = (b - rol32(a, 25)) | 0;
  c ^= b; c = (c - rol32(b, 16)) | 0;
  a ^= c; a = (a - rol32(c, 4)) | 0;
  b ^= a; b = (b - rol32(a, 14)) | 0;
  c ^= b; c = (c - rol32(b, 24)) | 0;
  return c >>> 0;
}

/** jhash(bytes[off..off+len), initval) as a uint32; no allocation. */
export function jhash(bytes: Uint8Array, off: number, len: number, initval: number): number {
  let a = (JHASH_INITVAL + len + initval) | 0;
  let b = a;
  let c = a;
  let k = off;
  let n = len;
  while (n > 12) {
    a = (a + (bytes[k] | (bytes[k + 1] << 8) | (bytes[k + 2] << 16) | (bytes[k + 3] << 24))) | 0;
    b = (b + (bytes[k + 4] | (bytes[k + 5] << 8) | (bytes[k + 6] << 16) | (bytes[k + 7] << 24))) | 0;
    c = (c + (bytes[k + 8] | (bytes[k + 9] << 8) | (bytes[k + 10] << 16) | (bytes[k + 11] << 24))) | 0;
    // __jhash_mix
    a = (a - c) | 0; a ^= rol32(c, 4); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rol32(a, 6); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rol32(b, 8); b = (b + a) | 0;
    a = (a - c) | 0; a ^= rol32(c, 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rol32(a, 19); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rol32(b, 4); b = (b + a) | 0;
    n -= 12;
    k += 12;
  }
  if (n === 0) return c >>> 0;
  // the tail switch of jhash(), written as cascading ifs (each case falls through to the next)
  if (n >= 12) c = (c + (bytes[k + 11] << 24)) | 0;
  if (n >= 11) c = (c + (bytes[k + 10] << 16)) | 0;
  if (n >= 10) c = (c + (bytes[k + 9] << 8)) | 0;
  if (n >= 9) c = (c + bytes[k + 8]) | 0;
  if (n >= 8) b = (b + (bytes[k + 7] << 24)) | 0;
  if (n >= 7) b = (b + (bytes[k + 6] << 16)) | 0;
  if (n >= 6) b = (b + (bytes[k + 5] << 8)) | 0;
  if (n >= 5) b = (b + bytes[k + 4]) | 0;
  if (n >= 4) a = (a + (bytes[k + 3] << 24)) | 0;
  if (n >= 3) a = (a + (bytes[k + 2] << 16)) | 0;
  if (n >= 2) a = (a + (bytes[k + 1] << 8)) | 0;
  a = (a + bytes[k]) | 0;
  return jhashFinal(a, b, c);
}

/**
 * jhash() over a DataView: the same value, reading whole little-endian words where the byte
 * version assembles them from four loads (the kernel reads them with __get_unaligned_cpu32).
 * For keys a program hands to a map helper, which live in a region's view.
 */
export function jhashView(v: DataView, off: number, len: number, initval: number): number {
  let a = (JHASH_INITVAL + len + initval) | 0;
  let b = a;
  let c = a;
  let k = off;
  let n = len;
  while (n > 12) {
    a = (a + v.getInt32(k, true)) | 0;
    b = (b + v.getInt32(k + 4, true)) | 0;
    c = (c + v.getInt32(k + 8, true)) | 0;
    a = (a - c) | 0; a ^= rol32(c, 4); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rol32(a, 6); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rol32(b, 8); b = (b + a) | 0;
    a = (a - c) | 0; a ^= rol32(c, 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rol32(a, 19); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rol32(b, 4); b = (b + a) | 0;
    n -= 12;
    k += 12;
  }
  if (n === 0) return c >>> 0;
  // the tail switch adds the last 1..12 bytes as little-endian words whose missing bytes are 0
  a = (a + tailWord(v, k, n)) | 0;
  if (n > 4) b = (b + tailWord(v, k + 4, n - 4)) | 0;
  if (n > 8) c = (c + tailWord(v, k + 8, n - 8)) | 0;
  return jhashFinal(a, b, c);
}

/** The first min(n, 4) bytes at k as a little-endian word. */
function tailWord(v: DataView, k: number, n: number): number {
  if (n >= 4) return v.getInt32(k, true);
  if (n === 3) return v.getUint16(k, true) | (v.getUint8(k + 2) << 16);
  return n === 2 ? v.getUint16(k, true) : v.getUint8(k);
}
