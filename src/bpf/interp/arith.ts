// arith.ts: the interpreter's slow arithmetic on (lo, hi) int32 register halves: the high word
// of a 32x32 multiply, and division/modulo (32 and 64 bit, signed and unsigned) with RFC 9669's
// rules: x / 0 = 0, x % 0 = x, INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0. BigInt only when a
// 64-bit operand does not fit in 32 bits.

/** High 32 bits of the unsigned 64-bit product of two uint32s (16-bit limbs; every partial sum < 2^32). */
export function mulhu(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const m1 = a1 * b0 + ((a0 * b0) >>> 16);
  const m2 = a0 * b1 + (m1 & 0xffff);
  return (a1 * b1 + (m1 >>> 16) + (m2 >>> 16)) | 0;
}

/** regs[d..d+1] = (u64) regs[d..d+1] * (bl, bh), low 64 bits. */
export function mul64(regs: Int32Array, d: number, bl: number, bh: number): void {
  const al = regs[d];
  const ah = regs[d + 1];
  regs[d + 1] = (mulhu(al, bl) + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
  regs[d] = Math.imul(al, bl);
}

const M64 = (1n << 64n) - 1n;

function big(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function put(regs: Int32Array, d: number, v: bigint): void {
  const u = v & M64;
  regs[d] = Number(u & 0xffffffffn) | 0;
  regs[d + 1] = Number(u >> 32n) | 0;
}

/** 32-bit ALU division/modulo: `signed` is the instruction's off == 1 (sdiv/smod). Zero-extends. */
export function divmod32(regs: Int32Array, d: number, b: number, mod: boolean, signed: boolean): void {
  const a = regs[d];
  let r: number;
  if (b === 0) {
    r = mod ? a : 0;
  } else if (signed) {
    if (b === -1) r = mod ? 0 : -a | 0; // INT_MIN / -1 wraps to INT_MIN, INT_MIN % -1 is 0
    else r = mod ? a % b : (a / b) | 0; // JS % truncates like C: the sign follows the dividend
  } else {
    const ua = a >>> 0;
    const ub = b >>> 0;
    r = mod ? ua % ub : (ua / ub) >>> 0;
  }
  regs[d] = r;
  regs[d + 1] = 0;
}

/** 64-bit ALU division/modulo of regs[d] by (bl, bh). */
export function divmod64(regs: Int32Array, d: number, bl: number, bh: number, mod: boolean, signed: boolean): void {
  const al = regs[d];
  const ah = regs[d + 1];
  if (bl === 0 && bh === 0) {
    if (!mod) regs[d] = regs[d + 1] = 0;
    return;
  }
  if (!signed) {
    if (ah === 0 && bh === 0) {
      const ua = al >>> 0;
      const ub = bl >>> 0;
      regs[d] = mod ? ua % ub : (ua / ub) >>> 0;
      return;
    }
    const a = big(al, ah);
    const b = big(bl, bh);
    put(regs, d, mod ? a % b : a / b);
    return;
  }
  if (bl === -1 && bh === -1) {
    // x / -1 = -x (INT64_MIN wraps to itself); x % -1 = 0
    if (mod) regs[d] = regs[d + 1] = 0;
    else {
      const lo = -al | 0;
      regs[d] = lo;
      regs[d + 1] = (~ah + (lo === 0 ? 1 : 0)) | 0;
    }
    return;
  }
  if (ah === al >> 31 && bh === bl >> 31) {
    // both fit in int32: plain doubles are exact
    const r = mod ? al % bl : Math.trunc(al / bl);
    regs[d] = r | 0;
    regs[d + 1] = r < 0 ? -1 : 0;
    return;
  }
  const a = BigInt.asIntN(64, big(al, ah));
  const b = BigInt.asIntN(64, big(bl, bh));
  put(regs, d, mod ? a % b : a / b); // BigInt / and % truncate toward zero, like C
}

/** Byte-swaps a 32-bit value. */
export function bswap32(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

/** Byte-swaps the low 16 bits (result zero-extended). */
export function bswap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}
