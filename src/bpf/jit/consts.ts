// consts.ts: registers holding a known 64-bit constant before each instruction (forward dataflow
// over a function's blocks; only `mov K` and lddw make constants, every other write forgets),
// so a register operand like clang's hoisted FNV prime becomes a literal V8 can fold into
// Math.imul and the high-word terms. Entry registers are unknown (they come from vm.regs).
import { OP_CALL_LOCAL, type Prepared } from '../interp/prepare.js';
import { isLdAbs, OP_CALL, OP_CALLX, OP_LDDW, slotsOf, type FuncCfg } from './cfg.js';

/** Per slot: 11 known flags and 22 halves; `known[pc * 11 + r]`, `value[pc * 22 + 2r (+1)]`. */
export interface Consts {
  known: Uint8Array;
  value: Int32Array;
}

const REGS = 11;

function step(p: Prepared, pc: number, known: Uint8Array, value: Int32Array): void {
  const w = p.code[2 * pc];
  const imm = p.code[2 * pc + 1];
  const op = w & 0xff;
  const d = (w >> 8) & 0xf;
  const s = (w >> 12) & 0xf;
  const cls = op & 7;
  const set = (r: number, lo: number, hi: number): void => {
    known[r] = 1;
    value[2 * r] = lo;
    value[2 * r + 1] = hi;
  };
  if (op === 0xb7) return set(d, imm, imm >> 31);
  if (op === 0xb4) return set(d, imm, 0);
  if (op === OP_LDDW) return set(d, imm, p.code[2 * pc + 3]);
  if (op === OP_CALL || op === OP_CALL_LOCAL || op === OP_CALLX || isLdAbs(op)) {
    for (let r = 0; r <= 5; r++) known[r] = 0;
    return;
  }
  if (cls === 4 || cls === 7 || cls === 1 || cls === 0) {
    if (d < REGS) known[d] = 0;
    return;
  }
  if (cls === 3 && (op & 0xe0) !== 0x60) {
    // atomics may write src (fetch, xchg, load-acquire) and r0 (cmpxchg)
    if (s < REGS) known[s] = 0;
    known[0] = 0;
  }
}

export function constants(p: Prepared, cfg: FuncCfg): Consts {
  const n = p.insns.length + 1;
  const known = new Uint8Array(n * REGS);
  const value = new Int32Array(n * 2 * REGS);
  const blocks = cfg.blocks;
  const inKnown = blocks.map(() => new Uint8Array(REGS));
  const inValue = blocks.map(() => new Int32Array(2 * REGS));
  const reached = new Uint8Array(blocks.length);
  reached[0] = 1;
  const slots = blocks.map((b) => slotsOf(p, b));
  const k = new Uint8Array(REGS);
  const v = new Int32Array(2 * REGS);
  let changed = true;
  while (changed) {
    changed = false;
    for (const b of blocks) {
      if (!reached[b.id]) continue;
      k.set(inKnown[b.id]);
      v.set(inValue[b.id]);
      for (const pc of slots[b.id]) {
        known.set(k, pc * REGS);
        value.set(v, pc * 2 * REGS);
        step(p, pc, k, v);
      }
      for (const sid of b.succs) {
        const sk = inKnown[sid];
        const sv = inValue[sid];
        if (!reached[sid]) {
          reached[sid] = 1;
          sk.set(k);
          sv.set(v);
          changed = true;
          continue;
        }
        for (let r = 0; r < REGS; r++) {
          if (sk[r] && (!k[r] || sv[2 * r] !== v[2 * r] || sv[2 * r + 1] !== v[2 * r + 1])) {
            sk[r] = 0;
            changed = true;
          }
        }
      }
    }
  }
  return { known, value };
}
