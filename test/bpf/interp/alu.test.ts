// alu.test.ts: every ALU/ALU64 operation and every conditional jump, checked against a BigInt
// reference of RFC 9669 on edge values (0, ±1, INT_MIN, INT_MAX, 2^32 boundaries) and random ones.
import { describe, expect, it } from 'vitest';
import * as op from '../../../src/bpf/opcodes.js';
import { alu32, alu32r, alu64, alu64r, exit, jmp, jmp32, jmp32r, jmpr, lddw, mov64, mov64r, mov32r, r0Of } from './prog.js';

const M64 = (1n << 64n) - 1n;
const M32 = 0xffffffffn;
const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
const s32 = (x: bigint): bigint => BigInt.asIntN(32, x);
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);

function ref(o: number, a: bigint, b: bigint, signed: boolean, bits: 32 | 64): bigint {
  const mask = bits === 64 ? M64 : M32;
  const sx = bits === 64 ? s64 : s32;
  const ux = (x: bigint): bigint => BigInt.asUintN(bits, x);
  a &= mask;
  b &= mask;
  switch (o) {
    case op.BPF_ADD: return (a + b) & mask;
    case op.BPF_SUB: return (a - b) & mask;
    case op.BPF_MUL: return (a * b) & mask;
    case op.BPF_DIV: if (b === 0n) return 0n; return signed ? ux(sx(a) / sx(b)) : a / b;
    case op.BPF_MOD: if (b === 0n) return a; return signed ? ux(sx(a) % sx(b)) : a % b;
    case op.BPF_OR: return a | b;
    case op.BPF_AND: return a & b;
    case op.BPF_XOR: return a ^ b;
    case op.BPF_LSH: return (a << (b & BigInt(bits - 1))) & mask;
    case op.BPF_RSH: return a >> (b & BigInt(bits - 1));
    case op.BPF_ARSH: return ux(sx(a) >> (b & BigInt(bits - 1)));
    case op.BPF_NEG: return ux(-a);
    case op.BPF_MOV: return b;
  }
  throw new Error(`no reference for ${o}`);
}

function rnd64(seed: { s: number }): bigint {
  const next = (): bigint => {
    seed.s = (Math.imul(seed.s, 1103515245) + 12345) | 0;
    return BigInt((seed.s >>> 8) & 0xffff);
  };
  return (next() << 48n) | (next() << 32n) | (next() << 16n) | next();
}

const EDGE = [0n, 1n, 2n, 3n, 7n, M64, M64 - 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0xfffffffe00000000n,
  1n << 63n, (1n << 63n) - 1n, 0xffffffff80000000n, 31n, 32n, 33n, 63n, 64n, 0xfffffffffffffff6n];
const seed = { s: 42 };
const VALUES = [...EDGE, ...Array.from({ length: 12 }, () => rnd64(seed))];
const IMMS = [0, 1, -1, 2, 7, -7, 31, 32, 63, 64, 0x7fffffff, -0x80000000, 0x12345678, -2];

const OPS: [string, number][] = [
  ['add', op.BPF_ADD], ['sub', op.BPF_SUB], ['mul', op.BPF_MUL], ['div', op.BPF_DIV], ['mod', op.BPF_MOD],
  ['or', op.BPF_OR], ['and', op.BPF_AND], ['xor', op.BPF_XOR], ['lsh', op.BPF_LSH], ['rsh', op.BPF_RSH],
  ['arsh', op.BPF_ARSH], ['mov', op.BPF_MOV],
];

describe('ALU against the BigInt reference', () => {
  for (const [name, o] of OPS) {
    const signedForms = o === op.BPF_DIV || o === op.BPF_MOD ? [false, true] : [false];
    for (const signed of signedForms) {
      const off = signed ? 1 : 0;
      const label = `${signed ? 's' : ''}${name}`;
      it(`${label}64 reg and imm`, () => {
        for (const a of VALUES) {
          for (const b of VALUES) {
            const got = r0Of(lddw(0, a), lddw(1, b), alu64r(o, 0, 1, off), exit());
            expect(got, `${label}64 0x${a.toString(16)}, 0x${b.toString(16)}`).toBe(ref(o, a, b, signed, 64));
          }
          for (const imm of IMMS) {
            const got = r0Of(lddw(0, a), alu64(o, 0, imm, off), exit());
            expect(got, `${label}64 0x${a.toString(16)}, imm ${imm}`).toBe(ref(o, a, u64(BigInt(imm)), signed, 64));
          }
        }
      });
      it(`${label}32 reg and imm (zero-extends)`, () => {
        for (const a of VALUES) {
          for (const b of VALUES) {
            const got = r0Of(lddw(0, a), lddw(1, b), alu32r(o, 0, 1, off), exit());
            expect(got, `${label}32 0x${a.toString(16)}, 0x${b.toString(16)}`).toBe(ref(o, a, b, signed, 32));
          }
          for (const imm of IMMS) {
            const got = r0Of(lddw(0, a), alu32(o, 0, imm, off), exit());
            expect(got, `${label}32 0x${a.toString(16)}, imm ${imm}`).toBe(ref(o, a, BigInt(imm) & M32, signed, 32));
          }
        }
      });
    }
  }
  it('neg64 and neg32', () => {
    for (const a of VALUES) {
      expect(r0Of(lddw(0, a), alu64(op.BPF_NEG, 0, 0), exit())).toBe(ref(op.BPF_NEG, a, 0n, false, 64));
      expect(r0Of(lddw(0, a), alu32(op.BPF_NEG, 0, 0), exit())).toBe(ref(op.BPF_NEG, a, 0n, false, 32));
    }
  });
  it('the same register as both operands', () => {
    expect(r0Of(lddw(0, 0x123456789n), alu64r(op.BPF_SUB, 0, 0), exit())).toBe(0n);
    expect(r0Of(lddw(0, 0xffffffffn), alu64r(op.BPF_ADD, 0, 0), exit())).toBe(0x1fffffffen);
    expect(r0Of(lddw(0, 0x100000003n), alu64r(op.BPF_MUL, 0, 0), exit())).toBe((0x100000003n * 0x100000003n) & M64);
  });
});

describe('named edge cases', () => {
  const INT64_MIN = 1n << 63n;
  it('INT_MIN / -1 and INT_MIN % -1, 32 and 64 bit', () => {
    expect(r0Of(lddw(0, INT64_MIN), alu64(op.BPF_DIV, 0, -1, 1), exit())).toBe(INT64_MIN);
    expect(r0Of(lddw(0, INT64_MIN), alu64(op.BPF_MOD, 0, -1, 1), exit())).toBe(0n);
    expect(r0Of(mov64(0, -0x80000000), alu32(op.BPF_DIV, 0, -1, 1), exit())).toBe(0x80000000n);
    expect(r0Of(mov64(0, -0x80000000), alu32(op.BPF_MOD, 0, -1, 1), exit())).toBe(0n);
  });
  it('division by zero is 0 and modulo by zero keeps the dividend (32-bit: truncated)', () => {
    expect(r0Of(lddw(0, 0x1234500000007n), mov64(1, 0), alu64r(op.BPF_DIV, 0, 1), exit())).toBe(0n);
    expect(r0Of(lddw(0, 0x1234500000007n), mov64(1, 0), alu64r(op.BPF_MOD, 0, 1), exit())).toBe(0x1234500000007n);
    expect(r0Of(lddw(0, 0x1234500000007n), mov64(1, 0), alu32r(op.BPF_MOD, 0, 1), exit())).toBe(7n);
  });
  it('unsigned 64-bit divide by a negative immediate divides by 2^64 - |imm|', () => {
    expect(r0Of(mov64(0, -1), alu64(op.BPF_DIV, 0, -1), exit())).toBe(1n);
    expect(r0Of(mov64(0, 5), alu64(op.BPF_DIV, 0, -1), exit())).toBe(0n);
  });
  it('shift amounts are masked to 63 / 31', () => {
    expect(r0Of(mov64(0, 1), alu64(op.BPF_LSH, 0, 65), exit())).toBe(2n);
    expect(r0Of(mov64(0, 1), alu32(op.BPF_LSH, 0, 33), exit())).toBe(2n);
    expect(r0Of(mov64(0, -1), mov64(1, 64 + 60), alu64r(op.BPF_RSH, 0, 1), exit())).toBe(0xfn);
    expect(r0Of(mov64(0, -16), alu64(op.BPF_ARSH, 0, 66), exit())).toBe(M64 - 3n);
  });
  it('32-bit results zero-extend; mov32 clears the high half', () => {
    expect(r0Of(mov64(0, -1), alu32(op.BPF_ADD, 0, 0), exit())).toBe(0xffffffffn);
    expect(r0Of(lddw(1, 0xaaaaaaaabbbbbbbbn), mov32r(0, 1), exit())).toBe(0xbbbbbbbbn);
  });
  it('64-bit immediates sign-extend', () => {
    expect(r0Of(mov64(0, -2), exit())).toBe(M64 - 1n);
    expect(r0Of(mov64(0, 0), alu64(op.BPF_ADD, 0, -1), exit())).toBe(M64);
    expect(r0Of(mov64(0, 0), alu64(op.BPF_OR, 0, -0x80000000), exit())).toBe(0xffffffff80000000n);
  });
  it('movsx sign-extends 8, 16 and 32 bits', () => {
    const v = 0x12345678_89abcdefn;
    expect(r0Of(lddw(1, v), mov64r(0, 1, 8), exit())).toBe(0xffffffffffffffefn);
    expect(r0Of(lddw(1, v), mov64r(0, 1, 16), exit())).toBe(0xffffffffffffcdefn);
    expect(r0Of(lddw(1, v), mov64r(0, 1, 32), exit())).toBe(0xffffffff89abcdefn);
    expect(r0Of(lddw(1, v), mov32r(0, 1, 8), exit())).toBe(0xffffffefn);
    expect(r0Of(lddw(1, v), mov32r(0, 1, 16), exit())).toBe(0xffffcdefn);
    expect(r0Of(lddw(1, 0x7fn), mov64r(0, 1, 8), exit())).toBe(0x7fn);
  });
  it('byte swaps: le truncates, be and bswap swap', () => {
    const v = 0x1122334455667788n;
    const end = (cls: number, src: number, width: number) => ({ code: cls | op.BPF_END | src, dst: 0, src: 0, off: 0, imm: width });
    expect(r0Of(lddw(0, v), end(op.BPF_ALU, op.BPF_TO_LE, 16), exit())).toBe(0x7788n);
    expect(r0Of(lddw(0, v), end(op.BPF_ALU, op.BPF_TO_LE, 32), exit())).toBe(0x55667788n);
    expect(r0Of(lddw(0, v), end(op.BPF_ALU, op.BPF_TO_LE, 64), exit())).toBe(v);
    expect(r0Of(lddw(0, v), end(op.BPF_ALU, op.BPF_TO_BE, 16), exit())).toBe(0x8877n);
    expect(r0Of(lddw(0, v), end(op.BPF_ALU, op.BPF_TO_BE, 32), exit())).toBe(0x88776655n);
    expect(r0Of(lddw(0, v), end(op.BPF_ALU, op.BPF_TO_BE, 64), exit())).toBe(0x8877665544332211n);
    expect(r0Of(lddw(0, v), end(op.BPF_ALU64, op.BPF_TO_LE, 16), exit())).toBe(0x8877n);
    expect(r0Of(lddw(0, v), end(op.BPF_ALU64, op.BPF_TO_LE, 32), exit())).toBe(0x88776655n);
    expect(r0Of(lddw(0, v), end(op.BPF_ALU64, op.BPF_TO_LE, 64), exit())).toBe(0x8877665544332211n);
  });
  it('lddw loads all 64 bits', () => {
    expect(r0Of(lddw(0, 0xfedcba9876543210n), exit())).toBe(0xfedcba9876543210n);
    expect(r0Of(lddw(0, 0x80000000n), exit())).toBe(0x80000000n);
  });
});

const JUMPS: [string, number, (a: bigint, b: bigint, bits: 32 | 64) => boolean][] = [
  ['jeq', op.BPF_JEQ, (a, b) => a === b],
  ['jne', op.BPF_JNE, (a, b) => a !== b],
  ['jgt', op.BPF_JGT, (a, b) => a > b],
  ['jge', op.BPF_JGE, (a, b) => a >= b],
  ['jlt', op.BPF_JLT, (a, b) => a < b],
  ['jle', op.BPF_JLE, (a, b) => a <= b],
  ['jset', op.BPF_JSET, (a, b) => (a & b) !== 0n],
  ['jsgt', op.BPF_JSGT, (a, b, n) => BigInt.asIntN(n, a) > BigInt.asIntN(n, b)],
  ['jsge', op.BPF_JSGE, (a, b, n) => BigInt.asIntN(n, a) >= BigInt.asIntN(n, b)],
  ['jslt', op.BPF_JSLT, (a, b, n) => BigInt.asIntN(n, a) < BigInt.asIntN(n, b)],
  ['jsle', op.BPF_JSLE, (a, b, n) => BigInt.asIntN(n, a) <= BigInt.asIntN(n, b)],
];

describe('conditional jumps against the reference', () => {
  for (const [name, o, cond] of JUMPS) {
    it(`${name} and ${name}32, reg and imm`, () => {
      for (const a of VALUES) {
        for (const b of VALUES) {
          const taken = (j: ReturnType<typeof jmpr>) => r0Of(lddw(1, a), lddw(2, b), mov64(0, 0), j, exit(), mov64(0, 1), exit());
          expect(taken(jmpr(o, 1, 2, 1)), `${name} ${a} ${b}`).toBe(cond(a, b, 64) ? 1n : 0n);
          expect(taken(jmp32r(o, 1, 2, 1)), `${name}32 ${a} ${b}`).toBe(cond(a & M32, b & M32, 32) ? 1n : 0n);
        }
        for (const imm of IMMS) {
          const taken = (j: ReturnType<typeof jmp>) => r0Of(lddw(1, a), mov64(0, 0), j, exit(), mov64(0, 1), exit());
          expect(taken(jmp(o, 1, imm, 1)), `${name} ${a} imm ${imm}`).toBe(cond(a, u64(BigInt(imm)), 64) ? 1n : 0n);
          expect(taken(jmp32(o, 1, imm, 1)), `${name}32 ${a} imm ${imm}`).toBe(cond(a & M32, BigInt(imm) & M32, 32) ? 1n : 0n);
        }
      }
    });
  }
});
