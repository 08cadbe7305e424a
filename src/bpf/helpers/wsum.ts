// wsum.ts: the kernel's checksum arithmetic (include/net/checksum.h, arch/x86 csum_fold) on
// values exactly as a little-endian CPU holds them: a __be16 field read from memory as a host
// u16, a __wsum as a host u32. Ones'-complement sums are byte-order neutral, so computing in the
// CPU's view and storing little-endian gives the kernel's bytes, 0x0000/0xffff choices included.

/** csum_add: 32-bit add with end-around carry. */
export function csumAdd(a: number, b: number): number {
  const s = ((a >>> 0) + (b >>> 0)) >>> 0;
  return (s + (s < b >>> 0 ? 1 : 0)) >>> 0;
}

/** csum_sub(a, b) = csum_add(a, ~b) */
export function csumSub(a: number, b: number): number {
  return csumAdd(a, ~b >>> 0);
}

/** csum_fold: the 16-bit complement of the folded 32-bit sum (a __sum16). */
export function csumFold(sum: number): number {
  let s = (sum & 0xffff) + (sum >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** csum_from32to16: the folded sum, not inverted (what bpf_csum_diff returns since 6.x). */
export function csumFrom32to16(sum: number): number {
  let s = (sum & 0xffff) + (sum >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** csum16_add: 16-bit add with end-around carry. */
export function csum16Add(csum: number, addend: number): number {
  const a = addend & 0xffff;
  const r = ((csum & 0xffff) + a) & 0xffff;
  return (r + (r < a ? 1 : 0)) & 0xffff;
}

export function csum16Sub(csum: number, addend: number): number {
  return csum16Add(csum, ~addend & 0xffff);
}

/**
 * csum_partial: the 32-bit partial sum of bytes [off, off+len) seen as little-endian 16-bit words
 * (a trailing odd byte is the low byte), plus `seed`. Congruent (mod 0xffff) with the kernel's.
 */
export function csumPartial(b: Uint8Array, off: number, len: number, seed: number): number {
  let acc = seed >>> 0;
  const end = off + (len & ~1);
  let i = off;
  for (; i < end; i += 2) acc = csumAdd(acc, b[i] | (b[i + 1] << 8));
  if (len & 1) acc = csumAdd(acc, b[i]);
  return acc;
}

/** csum_block_add/sub: a partial sum of bytes that start at an odd offset is rotated by 8. */
export function csumBlockAdd(csum: number, csum2: number, offset: number): number {
  const s = offset & 1 ? ror8(csum2) : csum2 >>> 0;
  return csumAdd(csum, s);
}

export function csumBlockSub(csum: number, csum2: number, offset: number): number {
  const s = offset & 1 ? ror8(csum2) : csum2 >>> 0;
  return csumSub(csum, s);
}

function ror8(x: number): number {
  return ((x >>> 8) | (x << 24)) >>> 0;
}

/** A __sum16 / __be16 field as the CPU reads it (little-endian host). */
export function loadLe16(b: Uint8Array, off: number): number {
  return b[off] | (b[off + 1] << 8);
}

export function storeLe16(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
}

/** csum_replace4(sum, from, to) on the field at `off` (from/to as the CPU holds the __be32s). */
export function csumReplace4(b: Uint8Array, off: number, from: number, to: number): void {
  const tmp = csumSub(~loadLe16(b, off) >>> 0, from); // ~csum_unfold(): a full 32-bit complement
  storeLe16(b, off, csumFold(csumAdd(tmp, to)));
}

/** csum_replace2 */
export function csumReplace2(b: Uint8Array, off: number, from: number, to: number): void {
  const s = csum16Add(csum16Sub(~loadLe16(b, off) & 0xffff, from), to);
  storeLe16(b, off, ~s & 0xffff);
}

/** csum_replace_by_diff */
export function csumReplaceByDiff(b: Uint8Array, off: number, diff: number): void {
  storeLe16(b, off, csumFold(csumAdd(diff, ~loadLe16(b, off) >>> 0)));
}
