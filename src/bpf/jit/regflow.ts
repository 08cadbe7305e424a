// regflow.ts: the forward dataflow the compiled tier's register analyses share (consts.ts,
// types.ts): a fact per register before every instruction of a function, iterated over its
// blocks to a fixpoint. A fact is a tag (0 = nothing known) plus `width` int32 words; at a merge
// a fact survives only if every incoming edge has the same tag and words, else it becomes 0.
// Facts only ever fall to 0, so the iteration ends.
import { BPF_MEM, BPF_STX } from '../opcodes.js';
import { OP_CALL_LOCAL, type Prepared } from '../interp/prepare.js';
import { isLdAbs, OP_CALL, OP_CALLX, slotsOf, type FuncCfg } from './cfg.js';

export const REGS = 11;

/**
 * The writes every analysis forgets alike: a call, callx or LD_ABS/LD_IND leaves r0..r5 the
 * callee's (the interpreter keeps r1..r5, the kernel clobbers them); an atomic may write its src
 * (fetch, xchg, load-acquire) and r0 (cmpxchg). Sets those tags to 0 and returns true when the
 * instruction at `pc` is one of these (its step is then done).
 */
export function clobbers(p: Prepared, pc: number, tag: Uint8Array): boolean {
  const w = p.code[2 * pc];
  const op = w & 0xff;
  if (op === OP_CALL || op === OP_CALL_LOCAL || op === OP_CALLX || isLdAbs(op)) {
    for (let r = 0; r <= 5; r++) tag[r] = 0;
    return true;
  }
  if ((op & 7) === BPF_STX && (op & 0xe0) !== BPF_MEM) {
    const s = (w >> 12) & 0xf;
    if (s < REGS) tag[s] = 0;
    tag[0] = 0;
    return true;
  }
  return false;
}

export interface RegAnalysis {
  /** int32 words per register fact */
  readonly width: number;
  /** facts at the function's entry (arrays start zeroed) */
  entry(tag: Uint8Array, data: Int32Array): void;
  /** transfer through the instruction at `pc` */
  step(p: Prepared, pc: number, tag: Uint8Array, data: Int32Array): void;
}

/** Per slot: `tag[pc * 11 + r]`, `data[(pc * 11 + r) * width + i]`. */
export interface RegFacts {
  readonly tag: Uint8Array;
  readonly data: Int32Array;
}

export function forwardRegFacts(p: Prepared, cfg: FuncCfg, a: RegAnalysis): RegFacts {
  const w = a.width;
  const n = p.insns.length + 1;
  const tag = new Uint8Array(n * REGS);
  const data = new Int32Array(n * REGS * w);
  const blocks = cfg.blocks;
  const inTag = blocks.map(() => new Uint8Array(REGS));
  const inData = blocks.map(() => new Int32Array(REGS * w));
  const reached = new Uint8Array(blocks.length);
  reached[0] = 1;
  a.entry(inTag[0], inData[0]);
  const slots = blocks.map((b) => slotsOf(p, b));
  const t = new Uint8Array(REGS);
  const d = new Int32Array(REGS * w);
  // blocks are in reverse postorder, so most facts settle in the first pass
  for (let changed = true; changed; ) {
    changed = false;
    for (const b of blocks) {
      if (!reached[b.id]) continue;
      t.set(inTag[b.id]);
      d.set(inData[b.id]);
      for (const pc of slots[b.id]) {
        tag.set(t, pc * REGS);
        data.set(d, pc * REGS * w);
        a.step(p, pc, t, d);
      }
      for (const sid of b.succs) {
        const st = inTag[sid];
        const sd = inData[sid];
        if (!reached[sid]) {
          reached[sid] = 1;
          st.set(t);
          sd.set(d);
          changed = true;
          continue;
        }
        for (let r = 0; r < REGS; r++) {
          if (st[r] === 0) continue;
          let same = st[r] === t[r];
          for (let i = 0; same && i < w; i++) same = sd[r * w + i] === d[r * w + i];
          if (!same) {
            st[r] = 0;
            changed = true;
          }
        }
      }
    }
  }
  return { tag, data };
}
