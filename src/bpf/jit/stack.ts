// stack.ts: the lowest frame-stack offset a program can touch, so a compiled run zeroes only
// [low, 512) of frame 0 instead of all 512 bytes (the interpreter's setFrameStack): no program
// can read below `low`, so it sees the same zeroed stack; only bytes it can never address keep
// old contents. A forward dataflow over the main function's blocks tracks, per register, whether
// it holds r10 + K (K known), something that may be r10-derived with an unknown offset, or no
// stack pointer at all; accesses through r10 + K and helper arguments r10 + K (a helper may touch
// [K, 512), the region ends there) lower `low`. Anything it cannot follow gives 0: zero it all.
import { BPF_ADD, BPF_ALU, BPF_ALU64, BPF_K, BPF_LD, BPF_LDX, BPF_MOV, BPF_ST, BPF_STX, BPF_SUB, BPF_X, MAX_BPF_STACK } from '../opcodes.js';
import { OP_CALL_LOCAL, OP_FAULT, OP_FELL_OFF, type Prepared } from '../interp/prepare.js';
import { isLdAbs, OP_CALL, OP_CALLX, OP_LDDW, slotsOf, type FuncCfg } from './cfg.js';

const FP = 10;
/** Register states besides a known offset K (|K| < LIMIT): no stack pointer, or unknown. */
const NONE = 0x7fffffff;
const TOP = -0x7fffffff;
const LIMIT = 1 << 24;

const MOV64_X = BPF_ALU64 | BPF_MOV | BPF_X;
const MOV64_K = BPF_ALU64 | BPF_MOV | BPF_K;
const MOV32_K = BPF_ALU | BPF_MOV | BPF_K;
const ADD64_K = BPF_ALU64 | BPF_ADD | BPF_K;
const SUB64_K = BPF_ALU64 | BPF_SUB | BPF_K;

/**
 * Helpers that call back into the program (for_each_map_elem, timer_set_callback, find_vma,
 * loop, user_ringbuf_drain): the callback may reach below a stack pointer it is handed.
 */
const CALLBACK_HELPERS = new Set([164, 170, 180, 181, 209]);

/** `cfg` is the main function's graph (compile.ts builds it as cfgs[0]). */
export function stackLow(p: Prepared, cfg: FuncCfg): number {
  const blocks = cfg.blocks;
  const entry: (Int32Array | null)[] = blocks.map(() => null);
  const start = new Int32Array(11).fill(NONE);
  start[FP] = MAX_BPF_STACK;
  entry[0] = start;
  let low = MAX_BPF_STACK;
  const code = p.code;
  const s = new Int32Array(11);
  // blocks are in reverse postorder: sweep until no entry state changes (each register can only
  // go NONE/K -> TOP once, so this ends)
  for (let changed = true; changed; ) {
    changed = false;
    for (const b of blocks) {
      const into = entry[b.id];
      if (into === null) continue;
      s.set(into);
      for (const pc of slotsOf(p, b)) {
        const w = code[2 * pc];
        const op = w & 0xff;
        const d = (w >> 8) & 0xf;
        const src = (w >> 12) & 0xf;
        const off = w >> 16;
        const imm = code[2 * pc + 1];
        const lowest = access(s, d, src, op, off, imm);
        if (lowest === TOP) return 0;
        if (lowest < low) low = lowest;
      }
      for (const t of b.succs) {
        const have = entry[t];
        if (have === null) {
          entry[t] = Int32Array.from(s);
          changed = true;
          continue;
        }
        for (let r = 0; r <= FP; r++) {
          if (have[r] !== s[r] && have[r] !== TOP) {
            have[r] = TOP;
            changed = true;
          }
        }
      }
    }
  }
  return Math.max(0, low);
}

/**
 * One instruction's effect on the register states `s` (updated in place): returns the lowest
 * stack offset it may touch (NONE: none), or TOP when it does something with a stack pointer
 * this analysis does not follow.
 */
function access(s: Int32Array, d: number, src: number, op: number, off: number, imm: number): number {
  const cls = op & 7;
  const known = (r: number): boolean => s[r] !== NONE && s[r] !== TOP;
  if (op === MOV64_X && off === 0 && d !== FP) {
    s[d] = s[src];
    return NONE;
  }
  if ((op === ADD64_K || op === SUB64_K) && d !== FP) {
    if (known(d)) {
      const k = op === ADD64_K ? s[d] + imm : s[d] - imm;
      s[d] = Math.abs(k) < LIMIT ? k : TOP;
    }
    return NONE;
  }
  if ((op === MOV64_K || op === MOV32_K || op === OP_LDDW) && d !== FP) {
    s[d] = NONE;
    return NONE;
  }
  if (cls === BPF_LDX && d !== FP) {
    // a load: stack memory never holds a stack pointer (storing one gives up below)
    const at = s[src] === NONE ? NONE : known(src) ? s[src] + off : TOP;
    s[d] = NONE;
    return at;
  }
  if (cls === BPF_ST) return s[d] === NONE ? NONE : known(d) ? s[d] + off : TOP;
  if (cls === BPF_STX) {
    if (s[src] !== NONE) return TOP; // a stack pointer stored as a value
    return s[d] === NONE ? NONE : known(d) ? s[d] + off : TOP;
  }
  if (op === OP_CALL) {
    // helpers write r0 only; r1..r5 keep what they held (a later read sees the same value)
    let at = NONE;
    for (let r = 1; r <= 5; r++) {
      if (s[r] === NONE) continue;
      if (s[r] === TOP || CALLBACK_HELPERS.has(imm)) return TOP;
      if (s[r] < at) at = s[r];
    }
    s[0] = NONE;
    return at;
  }
  if (op === OP_CALL_LOCAL || op === OP_CALLX) {
    // the callee runs on its own stack and sees r1..r9: none of them may point into ours
    for (let r = 1; r < FP; r++) if (s[r] !== NONE) return TOP;
    if (op === OP_CALLX && s[d] !== NONE) return TOP;
    for (let r = 0; r <= 5; r++) s[r] = NONE;
    return NONE;
  }
  if (op === OP_FAULT || op === OP_FELL_OFF) return NONE; // the run ends here
  // anything else that names a stack pointer (arithmetic, byte swaps, sign extension, LD_IND)
  // is not followed; comparisons and jumps only read it
  const writesD = cls === BPF_ALU || cls === BPF_ALU64 || cls === BPF_LD || cls === BPF_LDX;
  if (writesD && (d === FP || s[d] !== NONE || s[src] !== NONE)) return TOP;
  if (isLdAbs(op)) s[0] = NONE;
  return NONE;
}
