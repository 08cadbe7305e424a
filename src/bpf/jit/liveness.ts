// liveness.ts: which registers' HIGH halves are ever read again (bit i = high word of r_i), so
// the compiler can skip computing dead ones: clang keeps 32-bit values in 64-bit registers, and
// a 64-bit multiply whose high word nobody reads is one Math.imul. Low words are always computed.
// Observable uses: r0 at exit, r1..r5 at calls, pointer tags at memory accesses, 64-bit compares.
// What stays unspecified with this on: high words of r1..r9 after exit, and of r1..r5 after a call
// (which the verifier treats as unreadable anyway).
import { OP_CALL_LOCAL, OP_FAULT, OP_FELL_OFF, OP_MOVSX32_16, OP_MOVSX64_8, type Prepared } from '../interp/prepare.js';
import { ALL_REGS } from './emit.js';
import { isCondJump, isLdAbs, OP_CALL, OP_CALLX, OP_EXIT, OP_GOTOL, OP_JA, OP_LDDW, slotsOf, type FuncCfg } from './cfg.js';

const CALL_DEFS = 0x3f; // r0..r5
const CALL_USES = 0x3e; // r1..r5

/** Live high halves before the instruction at pc, given those live after it. */
export function transfer(p: Prepared, pc: number, out: number): number {
  const w = p.code[2 * pc];
  const imm = p.code[2 * pc + 1];
  const op = w & 0xff;
  const d = (w >> 8) & 0xf;
  const s = (w >> 12) & 0xf;
  const bd = 1 << d;
  const bs = 1 << s;
  const live = (out & bd) !== 0;
  const x = (op & 8) !== 0;
  switch (op & 7) {
    case 7: {
      // ALU64
      const alu = op & 0xf0;
      let uses = 0;
      switch (alu) {
        case 0x00: case 0x10: case 0x20: case 0x40: case 0x50: case 0xa0: // add sub mul or and xor
          if (live) uses = bd | (x ? bs : 0);
          break;
        case 0xb0: // mov
          if (live && x) uses = bs;
          break;
        case 0x60: // lsh: the high word needs the old high word unless the count is a constant >= 32
          if (live && (x || (imm & 63) < 32)) uses = bd;
          break;
        case 0x70: case 0xc0: // rsh, arsh: the low word takes bits of the high word
          uses = bd;
          break;
        case 0x80: // neg
          if (live) uses = bd;
          break;
        case 0x30: case 0x90: // div, mod
          uses = bd | (x ? bs : 0);
          break;
        case 0xd0: // bswap
          if (imm === 64) uses = bd;
          break;
        default:
          uses = ALL_REGS;
      }
      return (out & ~bd) | uses;
    }
    case 4: {
      // ALU32: results zero-extend; only le64 (identity) and be64 look at high words
      if (op === 0xd4 && imm === 64) return out;
      if (op === 0xdc && imm === 64) return (out & ~bd) | bd;
      return out & ~bd;
    }
    case 1: // LDX: the source pointer's tag
      return (out & ~bd) | bs;
    case 2: // ST
      return out | bd;
    case 3: {
      if ((op & 0xe0) === 0x60) return out | bd | ((op & 0x18) === 0x18 ? bs : 0);
      return out | bd | bs | 1; // atomics go through vm.regs with r0
    }
    case 5:
    case 6: {
      if (op === OP_EXIT) return 1;
      if (op === OP_JA || op === OP_GOTOL) return out;
      if (op === OP_CALL) return (out & ~CALL_DEFS) | CALL_USES;
      if (op === OP_CALLX) return (out & ~CALL_DEFS) | CALL_USES | bd;
      if (isCondJump(op)) return (op & 7) === 5 ? out | bd | (x ? bs : 0) : out;
      return ALL_REGS;
    }
    default: {
      // class LD: lddw, LD_ABS/IND, and the interpreter's internal opcodes
      if (op === OP_LDDW) return out & ~bd;
      if (isLdAbs(op)) return out & ~CALL_DEFS;
      if (op >= OP_MOVSX64_8 && op <= OP_MOVSX32_16) return out & ~bd;
      if (op === OP_CALL_LOCAL) return (out & ~CALL_DEFS) | CALL_USES;
      if (op === OP_FAULT || op === OP_FELL_OFF) return 0;
      return ALL_REGS;
    }
  }
}

/**
 * Live-out high halves for every instruction slot of the function (indexed by pc), by backward
 * dataflow over its blocks to a fixpoint. `all` switches the optimisation off (every half live).
 */
export function liveOut(p: Prepared, cfg: FuncCfg, all: boolean): Int32Array {
  const n = p.insns.length;
  const outAt = new Int32Array(n + 1).fill(ALL_REGS);
  if (all) return outAt;
  const blocks = cfg.blocks;
  const liveIn = new Int32Array(blocks.length);
  const slots = blocks.map((b) => slotsOf(p, b));
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = blocks.length - 1; i >= 0; i--) {
      const b = blocks[i];
      let live = 0;
      for (const s of b.succs) live |= liveIn[s];
      const list = slots[i];
      for (let k = list.length - 1; k >= 0; k--) {
        outAt[list[k]] = live;
        live = transfer(p, list[k], live);
      }
      if (live !== liveIn[i]) {
        liveIn[i] = live;
        changed = true;
      }
    }
  }
  return outAt;
}
