// types.ts: pointer types of registers before each instruction of a function, the compiled tier's
// share of the kernel verifier's register typing (kernel/bpf/verifier.c reg_state). A forward
// dataflow over the function's blocks; a register is CTX + K (exactly the function's entry r1
// plus K), STACK + K (exactly r10 + K), PACKET (derived from a ctx->data/data_end load: only a
// hint, the generated code still checks the tag) or UNKNOWN. Merges that disagree give UNKNOWN.
// Emitters use it to pick specialised accesses; every one keeps a run-time guard and the generic
// path behind it, so a wrong guess costs speed, never a different result.
import { MAX_BPF_STACK } from '../opcodes.js';
import type { Prepared } from '../interp/prepare.js';
import { SKB_OFF } from '../context/sk-buff-layout.js';
import type { FuncCfg } from './cfg.js';
import { clobbers, forwardRegFacts, REGS, type RegAnalysis } from './regflow.js';

export const T_UNKNOWN = 0;
/** The function's entry r1 plus K (0 <= K < CTX_SPAN, so the high word never carries). */
export const T_CTX = 1;
/** r10 plus K (-MAX_BPF_STACK <= K <= 0). */
export const T_STACK = 2;
/** Likely a pointer into the current packet (the tag is checked where it is used). */
export const T_PACKET = 3;

const CTX_SPAN = 1 << 16;
const FP = 10;

/** Per slot and register: `kind[pc * 11 + r]` and `off[pc * 11 + r]` (K for CTX and STACK). */
export interface RegTypes {
  readonly kind: Uint8Array;
  readonly off: Int32Array;
}

function withOff(kind: Uint8Array, off: Int32Array, r: number, k: number): void {
  if (kind[r] === T_CTX) {
    if (k < 0 || k >= CTX_SPAN) kind[r] = T_UNKNOWN;
    else off[r] = k;
  } else if (kind[r] === T_STACK) {
    if (k < -MAX_BPF_STACK || k > 0) kind[r] = T_UNKNOWN;
    else off[r] = k;
  }
}

function step(p: Prepared, pc: number, kind: Uint8Array, off: Int32Array): void {
  const w = p.code[2 * pc];
  const imm = p.code[2 * pc + 1];
  const op = w & 0xff;
  const d = (w >> 8) & 0xf;
  const s = (w >> 12) & 0xf;
  const cls = op & 7;
  if (clobbers(p, pc, kind)) return; // to T_UNKNOWN (0)
  if (cls !== 4 && cls !== 7 && cls !== 1 && cls !== 0) return; // stores and jumps write no register
  if (d >= REGS) return;
  if (op === 0xbf && (w >> 16) === 0) {
    kind[d] = kind[s];
    off[d] = off[s];
    return;
  }
  if (op === 0x07 || op === 0x17) {
    if (kind[d] !== T_PACKET) withOff(kind, off, d, op === 0x07 ? off[d] + imm : off[d] - imm);
    return;
  }
  if (op === 0x0f && kind[d] === T_PACKET) return; // packet + scalar: still (probably) the packet
  if (op === 0x61 && kind[s] === T_CTX) {
    const at = off[s] + (w >> 16);
    kind[d] = at === SKB_OFF.data || at === SKB_OFF.data_end ? T_PACKET : T_UNKNOWN;
    off[d] = 0; // a packet pointer's fact has no offset (keeps merges of two PACKETs equal)
    return;
  }
  kind[d] = T_UNKNOWN;
}

const ANALYSIS: RegAnalysis = {
  width: 1,
  entry: (kind) => {
    kind[1] = T_CTX;
    kind[FP] = T_STACK;
  },
  step,
};

export function regTypes(p: Prepared, cfg: FuncCfg): RegTypes {
  const f = forwardRegFacts(p, cfg, ANALYSIS);
  return { kind: f.tag, off: f.data };
}
