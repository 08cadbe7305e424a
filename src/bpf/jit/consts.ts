// consts.ts: registers holding a known 64-bit constant before each instruction (forward dataflow
// over a function's blocks; only `mov K` and lddw make constants, every other write forgets),
// so a register operand like clang's hoisted FNV prime becomes a literal V8 can fold into
// Math.imul and the high-word terms. Entry registers are unknown (they come from vm.regs).
import type { Prepared } from '../interp/prepare.js';
import { OP_LDDW, type FuncCfg } from './cfg.js';
import { clobbers, forwardRegFacts, REGS, type RegAnalysis } from './regflow.js';

/** Per slot: 11 known flags and 22 halves; `known[pc * 11 + r]`, `value[pc * 22 + 2r (+1)]`. */
export interface Consts {
  known: Uint8Array;
  value: Int32Array;
}


function step(p: Prepared, pc: number, known: Uint8Array, value: Int32Array): void {
  const w = p.code[2 * pc];
  const imm = p.code[2 * pc + 1];
  const op = w & 0xff;
  const d = (w >> 8) & 0xf;
  const cls = op & 7;
  const set = (r: number, lo: number, hi: number): void => {
    known[r] = 1;
    value[2 * r] = lo;
    value[2 * r + 1] = hi;
  };
  if (op === 0xb7) return set(d, imm, imm >> 31);
  if (op === 0xb4) return set(d, imm, 0);
  if (op === OP_LDDW) return set(d, imm, p.code[2 * pc + 3]);
  if (clobbers(p, pc, known)) return;
  if (cls === 4 || cls === 7 || cls === 1 || cls === 0) {
    if (d < REGS) known[d] = 0;
  }
}

const ANALYSIS: RegAnalysis = { width: 2, entry: () => {}, step };

export function constants(p: Prepared, cfg: FuncCfg): Consts {
  const f = forwardRegFacts(p, cfg, ANALYSIS);
  return { known: f.tag, value: f.data };
}
