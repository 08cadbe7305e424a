// gen.ts: a seeded generator of random valid BPF programs for the differential test: ALU32/64
// mixes, forward branches, bounded loops, stack loads/stores of every size (incl. sign-extending),
// stack pointers held in other registers (r10 + K), packet-like, map-value-slab-like and
// read-only regions, atomics, stub helper calls, a tail call,
// a bpf-to-bpf call, and some programs that fault (out of bounds, NULL, read-only, runaway loops).
//
//   r6 = packet (64 B)   r7 = slab (4 x 16 B, 12 usable)   r8 = rodata (16 B)   r9 = loop counter
//   r0..r5 scratch, every register initialised first (the verifier's rule the compiler relies on)
import { insn, type Insn } from '../../../src/bpf/insn.js';
import * as op from '../../../src/bpf/opcodes.js';

export const PACKET_SIZE = 64;
export const SLAB_STRIDE = 16;
export const SLAB_ELEM = 12;
export const SLAB_SIZE = 64;
export const RODATA_SIZE = 16;
/** Tags the test's Memory hands out, in addStatic order. */
export const PACKET_TAG = 128;
export const SLAB_TAG = 129;
export const RODATA_TAG = 130;
/** Stub helper ids (the test installs them). */
export const H_MIX = 1;
export const H_COUNT = 2;
export const H_MAYBE_FAULT = 3;
export const H_TAIL = 12;

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  int(n: number): number {
    return this.u32() % n;
  }
  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  /** An interesting 32-bit immediate: small, boundary, or random. */
  imm(): number {
    switch (this.int(6)) {
      case 0: return this.int(8);
      case 1: return this.pick([0, 1, -1, 0x7fffffff, -0x80000000, 0xffff, 0x80, 31, 32, 63, 64]);
      case 2: return this.int(256) - 128;
      default: return this.u32() | 0;
    }
  }
}

type Item = Insn | { label: string } | { jump: Insn; to: string };

const SIZES = [op.BPF_B, op.BPF_H, op.BPF_W, op.BPF_DW];
const BYTES: Record<number, number> = { [op.BPF_B]: 1, [op.BPF_H]: 2, [op.BPF_W]: 4, [op.BPF_DW]: 8 };
const ALU_OPS = [op.BPF_ADD, op.BPF_SUB, op.BPF_MUL, op.BPF_DIV, op.BPF_OR, op.BPF_AND, op.BPF_LSH, op.BPF_RSH, op.BPF_NEG, op.BPF_MOD, op.BPF_XOR, op.BPF_MOV, op.BPF_ARSH];
const JMP_OPS = [op.BPF_JEQ, op.BPF_JGT, op.BPF_JGE, op.BPF_JSET, op.BPF_JNE, op.BPF_JSGT, op.BPF_JSGE, op.BPF_JLT, op.BPF_JLE, op.BPF_JSLT, op.BPF_JSLE];

class Gen {
  items: Item[] = [];
  private labels = 0;
  constructor(
    readonly rng: Rng,
    /** Registers statements may write and read. */
    readonly scratch: readonly number[],
    readonly inSub: boolean,
    readonly prefix: string,
  ) {}

  label(): string {
    return `${this.prefix}${this.labels++}`;
  }
  emit(...xs: Item[]): void {
    this.items.push(...xs);
  }
  reg(): number {
    return this.rng.pick(this.scratch);
  }
  lddw(d: number, lo: number, hi: number): void {
    this.emit(insn(op.BPF_LD | op.BPF_IMM | op.BPF_DW, d, 0, 0, lo | 0), insn(0, 0, 0, 0, hi | 0));
  }
  initScratch(regs: readonly number[]): void {
    for (const r of regs) {
      if (this.rng.chance(0.5)) this.lddw(r, this.rng.u32(), this.rng.imm());
      else this.emit(insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_K, r, 0, 0, this.rng.imm()));
    }
  }

  alu(): void {
    const r = this.rng;
    const cls = r.chance(0.5) ? op.BPF_ALU64 : op.BPF_ALU;
    const d = this.reg();
    const kind = r.int(20);
    if (kind === 0) {
      const width = r.pick([16, 32, 64]);
      const code = cls === op.BPF_ALU64 ? op.BPF_ALU64 | op.BPF_END : op.BPF_ALU | op.BPF_END | r.pick([op.BPF_TO_LE, op.BPF_TO_BE]);
      this.emit(insn(code, d, 0, 0, width));
      return;
    }
    if (kind === 1) {
      // movsx
      const widths = cls === op.BPF_ALU64 ? [8, 16, 32] : [8, 16];
      this.emit(insn(cls | op.BPF_MOV | op.BPF_X, d, this.reg(), r.pick(widths), 0));
      return;
    }
    const o = r.pick(ALU_OPS);
    if (o === op.BPF_NEG) {
      this.emit(insn(cls | o, d));
      return;
    }
    const signedDiv = (o === op.BPF_DIV || o === op.BPF_MOD) && r.chance(0.4) ? 1 : 0;
    if (r.chance(0.5)) {
      let imm = r.imm();
      if ((o === op.BPF_LSH || o === op.BPF_RSH || o === op.BPF_ARSH) && r.chance(0.7)) imm = r.int(cls === op.BPF_ALU64 ? 64 : 32);
      this.emit(insn(cls | o | op.BPF_K, d, 0, signedDiv, imm));
    } else this.emit(insn(cls | o | op.BPF_X, d, this.reg(), signedDiv, 0));
  }

  /** A (base, offset) for a memory access of `bytes`: stack, or (main only) packet/slab/rodata. */
  place(bytes: number, write: boolean): { base: number; off: number } {
    const r = this.rng;
    const bad = r.chance(0.02);
    const regions = this.inSub ? [10] : write ? [10, 6, 7] : [10, 6, 7, 8];
    const base = r.pick(regions);
    if (base === 10) return { base, off: bad ? r.int(16) - 4 : -(r.int(64 - bytes + 1) + bytes) };
    if (base === 6) return { base, off: bad ? PACKET_SIZE - bytes + 1 + r.int(4) : r.int(PACKET_SIZE - bytes + 1) };
    if (base === 7) {
      const elem = r.int(SLAB_SIZE / SLAB_STRIDE) * SLAB_STRIDE;
      return { base, off: elem + (bad ? SLAB_ELEM - bytes + 1 : r.int(SLAB_ELEM - bytes + 1)) };
    }
    return { base, off: bad ? RODATA_SIZE : r.int(RODATA_SIZE - bytes + 1) };
  }

  memory(): void {
    const r = this.rng;
    const size = r.pick(SIZES);
    const bytes = BYTES[size];
    const kind = r.int(10);
    if (kind < 4) {
      const { base, off } = this.place(bytes, false);
      const sx = size !== op.BPF_DW && r.chance(0.3);
      this.emit(insn(op.BPF_LDX | (sx ? op.BPF_MEMSX : op.BPF_MEM) | size, this.reg(), base, off));
    } else if (kind < 7) {
      const { base, off } = this.place(bytes, r.chance(0.97));
      if (r.chance(0.4)) this.emit(insn(op.BPF_ST | op.BPF_MEM | size, base, 0, off, r.imm()));
      else this.emit(insn(op.BPF_STX | op.BPF_MEM | size, base, this.reg(), off));
    } else if (kind < 8 && r.chance(0.4)) {
      // a stack pointer in a register (jit/types.ts T_STACK): t = r10 + K, then t + off, mostly
      // inside the frame, sometimes just above its top or just below its bottom
      const t = this.reg();
      const k = -r.int(72);
      let off = -(r.int(64 - bytes + 1) + bytes) - k;
      if (r.chance(0.06)) off = r.chance(0.5) ? -k - bytes + 1 : -k - 512 - 1 - r.int(bytes);
      this.emit(insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_X, t, 10));
      if (r.chance(0.5)) this.emit(insn(op.BPF_ALU64 | op.BPF_ADD | op.BPF_K, t, 0, 0, k));
      else this.emit(insn(op.BPF_ALU64 | op.BPF_SUB | op.BPF_K, t, 0, 0, -k - 4), insn(op.BPF_ALU64 | op.BPF_ADD | op.BPF_K, t, 0, 0, -4));
      const j = r.int(3);
      if (j === 0) this.emit(insn(op.BPF_LDX | op.BPF_MEM | size, this.reg(), t, off));
      else if (j === 1) this.emit(insn(op.BPF_STX | op.BPF_MEM | size, t, this.reg(), off));
      else this.emit(insn(op.BPF_ST | op.BPF_MEM | size, t, 0, off, r.imm()));
    } else if (kind < 8 && !this.inSub) {
      // a computed packet address: t = r6 + (x & 31); load or store through t
      const t = this.reg();
      const x = this.reg();
      const mask = r.chance(0.05) ? 63 : 31;
      this.emit(
        insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_X, t, x),
        insn(op.BPF_ALU64 | op.BPF_AND | op.BPF_K, t, 0, 0, mask),
        insn(op.BPF_ALU64 | op.BPF_ADD | op.BPF_X, t, 6),
      );
      if (r.chance(0.5)) this.emit(insn(op.BPF_LDX | op.BPF_MEM | size, this.reg(), t, 0));
      else this.emit(insn(op.BPF_STX | op.BPF_MEM | size, t, this.reg(), 0));
    } else {
      // atomics: on the stack or a slab element, 32 or 64 bits
      const dw = r.chance(0.5);
      const { base, off } = this.place(dw ? 8 : 4, true);
      const a = r.pick([op.BPF_ADD, op.BPF_OR, op.BPF_AND, op.BPF_XOR, op.BPF_ADD | op.BPF_FETCH, op.BPF_OR | op.BPF_FETCH, op.BPF_AND | op.BPF_FETCH, op.BPF_XOR | op.BPF_FETCH, op.BPF_XCHG, op.BPF_CMPXCHG]);
      this.emit(insn(op.BPF_STX | op.BPF_ATOMIC | (dw ? op.BPF_DW : op.BPF_W), base, this.reg(), off, a));
    }
  }

  cond(): Insn {
    const r = this.rng;
    const cls = r.chance(0.6) ? op.BPF_JMP : op.BPF_JMP32;
    const o = r.pick(JMP_OPS);
    return r.chance(0.5) ? insn(cls | o | op.BPF_K, this.reg(), 0, 0, r.imm()) : insn(cls | o | op.BPF_X, this.reg(), this.reg());
  }

  helper(): void {
    const r = this.rng;
    const id = this.inSub ? r.pick([H_MIX, H_COUNT, H_MAYBE_FAULT]) : r.pick([H_MIX, H_COUNT, H_MAYBE_FAULT, H_MIX, H_TAIL]);
    if (id === H_TAIL) this.emit(insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_K, 1, 0, 0, 0)); // ctx-like r1
    this.emit(insn(op.BPF_JMP | op.BPF_CALL, 0, 0, 0, id));
  }

  statements(count: number, depth: number): void {
    const r = this.rng;
    for (let i = 0; i < count; i++) {
      const k = r.int(100);
      if (k < 40) this.alu();
      else if (k < 65) this.memory();
      else if (k < 75 && depth < 3) {
        // forward branch over a few statements
        const to = this.label();
        this.emit({ jump: this.cond(), to });
        this.statements(1 + r.int(4), depth + 1);
        this.emit({ label: to });
      } else if (k < 80 && depth === 0 && !this.inSub) {
        // bounded loop on r9
        const top = this.label();
        this.emit(insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_K, 9, 0, 0, 1 + r.int(8)), { label: top });
        this.statements(1 + r.int(5), depth + 1);
        this.emit(insn(op.BPF_ALU64 | op.BPF_ADD | op.BPF_K, 9, 0, 0, -1));
        this.emit({ jump: insn((r.chance(0.5) ? op.BPF_JMP : op.BPF_JMP32) | op.BPF_JNE | op.BPF_K, 9, 0, 0, 0), to: top });
      } else if (k < 88) this.helper();
      else if (k < 92 && !this.inSub) {
        this.emit({ jump: insn(op.BPF_JMP | op.BPF_CALL, 0, op.BPF_PSEUDO_CALL), to: 'sub' });
        this.initScratch([1, 2, 3, 4, 5]);
      } else if (k === 92 && r.chance(0.1)) {
        // a runaway loop: the budget ends it
        const top = this.label();
        this.emit({ label: top }, insn(op.BPF_ALU64 | op.BPF_ADD | op.BPF_K, 0, 0, 0, 1), { jump: insn(op.BPF_JMP | op.BPF_JA), to: top });
      } else if (k === 93 && r.chance(0.05)) {
        // through a scalar: NULL or no region
        this.emit(insn(op.BPF_LDX | op.BPF_MEM | op.BPF_W, this.reg(), this.reg(), 0));
      } else this.alu();
    }
  }
}

function resolve(items: Item[]): Insn[] {
  const labels = new Map<string, number>();
  let pc = 0;
  for (const it of items) {
    if ('label' in it) labels.set(it.label, pc);
    else pc++;
  }
  const out: Insn[] = [];
  for (const it of items) {
    if ('label' in it) continue;
    if ('jump' in it) {
      const t = labels.get(it.to) as number;
      const rel = t - out.length - 1;
      out.push(it.jump.code === (op.BPF_JMP | op.BPF_CALL) ? { ...it.jump, imm: rel } : { ...it.jump, off: rel });
    } else out.push(it);
  }
  return out;
}

/** The main program for `seed` (calls into a subprogram placed after it). */
export function generate(seed: number): Insn[] {
  const rng = new Rng(seed);
  const main = new Gen(rng, [0, 1, 2, 3, 4, 5], false, 'm');
  main.emit(insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_X, 6, 1), insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_X, 7, 2));
  main.lddw(8, 0, RODATA_TAG);
  main.emit(insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_K, 9, 0, 0, 0));
  main.initScratch([0, 1, 2, 3, 4, 5]);
  main.statements(8 + rng.int(40), 0);
  main.emit(insn(op.BPF_JMP | op.BPF_EXIT));
  const sub = new Gen(rng, [0, 1, 2, 3, 4, 5], true, 's');
  sub.emit({ label: 'sub' }, insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_K, 0, 0, 0, rng.imm()));
  sub.statements(2 + rng.int(12), 1);
  sub.emit(insn(op.BPF_JMP | op.BPF_EXIT));
  return resolve([...main.items, ...sub.items]);
}

/** A small program tail calls land in: some ALU on r0..r5 and the stack, then exit. */
export function generateTailTarget(seed: number): Insn[] {
  const rng = new Rng(seed ^ 0x5bd1e995);
  const g = new Gen(rng, [0, 2, 3, 4, 5], true, 't');
  g.initScratch([0, 2, 3, 4, 5]);
  g.statements(2 + rng.int(8), 1);
  g.emit(insn(op.BPF_JMP | op.BPF_EXIT));
  return resolve(g.items);
}
