// stack.ts: the lowest frame-stack offset a program can touch, so a compiled run zeroes only
// [low, 512) of frame 0 instead of all 512 bytes (the interpreter's setFrameStack): no program
// can read below `low`, so it sees the same zeroed stack; only bytes it can never address keep
// old contents. Proven only for the common shapes: r10-relative accesses with constant offsets,
// and `rX = r10; rX += K` handed to helpers (which may touch [K, 512) but no lower: the region
// ends there). Anything else that copies r10 (arithmetic, spills, calls) gives 0: zero it all.
import { MAX_BPF_STACK } from '../opcodes.js';
import { OP_CALL_LOCAL, OP_FAULT, type Prepared } from '../interp/prepare.js';
import { isCondJump, OP_CALL, OP_LDDW } from './cfg.js';

const FP = 10;

export function stackLow(p: Prepared): number {
  const n = p.insns.length;
  const code = p.code;
  let low = MAX_BPF_STACK;
  for (let pc = 0; pc < n; pc++) {
    if (p.second[pc]) continue;
    const w = code[2 * pc];
    const op = w & 0xff;
    const d = (w >> 8) & 0xf;
    const s = (w >> 12) & 0xf;
    const off = w >> 16;
    const cls = op & 7;
    const x = (op & 8) !== 0;
    // memory accesses with r10 as the base
    if ((cls === 1 && s === FP) || ((cls === 2 || cls === 3) && d === FP)) low = Math.min(low, MAX_BPF_STACK + off);
    if (cls === 3 && s === FP) return 0; // r10 stored as a value
    if (op === 0xbf && s === FP) {
      // rX = r10, then only `rX += K`, accesses through rX, and a helper call that clobbers it
      const t = trackCopy(p, pc + 1, d);
      if (t < 0) return 0;
      low = Math.min(low, t);
      continue;
    }
    if ((cls === 7 || cls === 4 || isCondJump(op)) && x && s === FP) return 0;
    if (op === 0x8d && d === FP) return 0;
  }
  return Math.max(0, low);
}

/** Follows `rX = r10` from pc: returns the lowest offset reached, or -1 when the copy escapes. */
function trackCopy(p: Prepared, start: number, r: number): number {
  const code = p.code;
  let at = MAX_BPF_STACK;
  let low = MAX_BPF_STACK;
  for (let pc = start; pc < p.insns.length; pc++) {
    if (p.second[pc]) continue;
    const w = code[2 * pc];
    const op = w & 0xff;
    const d = (w >> 8) & 0xf;
    const s = (w >> 12) & 0xf;
    const off = w >> 16;
    const cls = op & 7;
    if (op === 0x07 && d === r) {
      at += code[2 * pc + 1];
      low = Math.min(low, at);
      continue;
    }
    if (op === OP_CALL) return r >= 1 && r <= 5 ? Math.min(low, at) : -1;
    if (op === OP_CALL_LOCAL || op === OP_FAULT) return -1;
    if ((op === 0xb7 || op === 0xb4 || op === OP_LDDW) && d === r) return low; // overwritten
    const readsR =
      ((cls === 1 || cls === 7 || cls === 4) && (op & 8) !== 0 && s === r) ||
      (cls === 1 && s === r) ||
      ((cls === 2 || cls === 3) && d === r) ||
      (cls === 3 && s === r) ||
      ((cls === 7 || cls === 4 || isCondJump(op)) && d === r);
    if (cls === 1 && s === r && d !== r) {
      low = Math.min(low, at + off); // a load through the copy
      continue;
    }
    if ((cls === 2 || (cls === 3 && (op & 0xe0) === 0x60)) && d === r && !(cls === 3 && s === r)) {
      low = Math.min(low, at + off); // a store through the copy
      continue;
    }
    if (readsR) return -1;
    // redefined without being read: the copy is gone
    if ((cls === 7 || cls === 4 || cls === 1 || op === OP_LDDW) && d === r) return low;
    if (isCondJump(op) || (op & 7) === 5 || (op & 7) === 6) return -1; // control flow: give up
  }
  return -1;
}
