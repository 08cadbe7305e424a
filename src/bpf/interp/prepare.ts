// prepare.ts: turns an executable's Insn[] into the packed form the interpreter runs, once.
// Two int32 words per slot, plus one sentinel slot at the end that faults "fell off the end":
//
//   word 0:  bits 0-7 opcode | 8-11 dst | 12-15 src | 16-31 off (signed)     word 1: imm
//
// so `(w >> 7) & 0x1e` is 2*dst (the index of dst's low half in Vm.regs) and `w >> 16` is off.
// Everything the kernel's verifier would refuse (unknown opcode, register > 10, write to r10,
// jump or call outside the program) becomes an OP_FAULT slot that faults only when reached.
import type { Insn } from '../insn.js';
import type { Executable } from '../vm.js';
import type { FaultKind } from '../fault.js';
import * as op from '../opcodes.js';

/**
 * Internal opcodes, taken from byte values of class BPF_LD that no valid instruction uses, so
 * the interpreter can switch on one byte. Instructions whose meaning depends on `off` (movsx,
 * call local) get their own byte here, keeping the common cases free of extra tests.
 */
export const OP_FAULT = 0x00;
export const OP_FELL_OFF = 0x08;
export const OP_MOVSX64_8 = 0x60;
export const OP_MOVSX64_16 = 0x68;
export const OP_MOVSX64_32 = 0x70;
export const OP_MOVSX32_8 = 0x78;
export const OP_MOVSX32_16 = 0x80;
export const OP_CALL_LOCAL = 0x88;

export interface PreparedFault {
  kind: FaultKind;
  detail: string;
}

export interface Prepared {
  /** The instruction array this was built from (a different array means rebuild). */
  insns: readonly Insn[];
  /** 2 words per slot, insns.length + 1 slots (the last is the OP_FELL_OFF sentinel). */
  code: Int32Array;
  /** Why each OP_FAULT slot faults. */
  faults: Map<number, PreparedFault>;
  /** 1 where a slot is the second half of an lddw (not a valid jump or call target). */
  second: Uint8Array;
}

/** The prepared form of an executable, built on first use and cached on it (`exe.prepared`). */
export function preparedOf(exe: Executable): Prepared {
  const p = exe.prepared as Prepared | undefined;
  if (p !== undefined && p.insns === exe.insns) return p;
  const fresh = prepare(exe.insns);
  if (Object.isExtensible(exe) || Object.prototype.hasOwnProperty.call(exe, 'prepared')) {
    try {
      exe.prepared = fresh;
    } catch {
      // a frozen executable: prepare again next time (only hand-made test objects are frozen)
    }
  }
  return fresh;
}

const LDDW = op.BPF_LD | op.BPF_IMM | op.BPF_DW;

export function prepare(insns: readonly Insn[]): Prepared {
  const n = insns.length;
  const code = new Int32Array(2 * (n + 1));
  const faults = new Map<number, PreparedFault>();
  const second = new Uint8Array(n + 1); // 1 where a slot is the second half of an lddw
  for (let pc = 0; pc < n; pc++) {
    if (insns[pc].code === LDDW) second[++pc] = 1;
  }
  for (let pc = 0; pc < n; pc++) {
    const x = insns[pc];
    code[2 * pc] = (x.code & 0xff) | ((x.dst & 0xf) << 8) | ((x.src & 0xf) << 12) | (x.off << 16);
    code[2 * pc + 1] = x.imm | 0;
    if (second[pc]) continue;
    const res = classify(x, pc, n, second);
    if (typeof res === 'number') {
      code[2 * pc] = (code[2 * pc] & ~0xff) | res;
    } else if (res !== null) {
      code[2 * pc] = (code[2 * pc] & ~0xff) | OP_FAULT;
      faults.set(pc, res);
    }
  }
  code[2 * n] = OP_FELL_OFF;
  return { insns, code, faults, second };
}

/** null: run as is; a number: run as that internal opcode; a fault: the slot faults when reached. */
function classify(x: Insn, pc: number, n: number, second: Uint8Array): PreparedFault | number | null {
  const c = x.code;
  const cls = c & 0x07;
  const bad = (detail: string): PreparedFault => ({ kind: 'bad_instruction', detail });
  const regOk = (r: number, what: string): PreparedFault | null =>
    r > op.BPF_REG_10 ? bad(`${what} register r${r} does not exist`) : null;
  const writable = (r: number): PreparedFault | null =>
    r > op.BPF_REG_10 ? bad(`dst register r${r} does not exist`) : r === op.BPF_REG_10 ? bad('r10 (frame pointer) is read only') : null;
  const unknown: PreparedFault = { kind: 'unknown_opcode', detail: `unknown opcode 0x${c.toString(16).padStart(2, '0')}` };
  const target = (t: number): PreparedFault | null =>
    t < 0 || t >= n || second[t]
      ? { kind: 'jump_out_of_range', detail: `target insn ${t} is outside the program (${n} insns) or inside an lddw` }
      : null;

  switch (cls) {
    case op.BPF_ALU:
    case op.BPF_ALU64: {
      const alu = c & 0xf0;
      const x64 = cls === op.BPF_ALU64;
      const srcX = (c & op.BPF_X) !== 0;
      if (alu > op.BPF_END) return unknown;
      if (alu === op.BPF_NEG && srcX) return unknown;
      if (alu === op.BPF_END) {
        if (x64 && srcX) return unknown;
        if (x.imm !== 16 && x.imm !== 32 && x.imm !== 64) return bad(`byte swap width ${x.imm} is not 16, 32 or 64`);
        return writable(x.dst);
      }
      const e = writable(x.dst) ?? (srcX ? regOk(x.src, 'src') : null);
      if (e) return e;
      if (alu === op.BPF_DIV || alu === op.BPF_MOD) {
        return x.off === 0 || x.off === 1 ? null : bad(`div/mod offset ${x.off} is not 0 or 1`);
      }
      if (alu === op.BPF_MOV && srcX && x.off !== 0) {
        if (x64 && x.off === 8) return OP_MOVSX64_8;
        if (x64 && x.off === 16) return OP_MOVSX64_16;
        if (x64 && x.off === 32) return OP_MOVSX64_32;
        if (!x64 && x.off === 8) return OP_MOVSX32_8;
        if (!x64 && x.off === 16) return OP_MOVSX32_16;
        return bad(`mov sign-extension width ${x.off} is not supported`);
      }
      return null;
    }
    case op.BPF_JMP:
    case op.BPF_JMP32: {
      const j = c & 0xf0;
      const srcX = (c & op.BPF_X) !== 0;
      const j32 = cls === op.BPF_JMP32;
      if (j === op.BPF_JA) {
        if (srcX) return unknown;
        return target(pc + (j32 ? x.imm : x.off) + 1);
      }
      if (j === op.BPF_CALL) {
        if (j32) return unknown;
        if (srcX) return regOk(x.dst, 'callx');
        if (x.src === op.BPF_PSEUDO_CALL) return target(pc + x.imm + 1) ?? OP_CALL_LOCAL;
        if (x.src === op.BPF_HELPER_CALL) return null;
        return { kind: 'unknown_helper', detail: `call with src ${x.src} (kfunc calls are not supported)` };
      }
      if (j === op.BPF_EXIT) return j32 || srcX ? unknown : null;
      if (j === op.BPF_JCOND) {
        // may_goto (can_loop): the kernel takes it once a per-program loop budget runs out; here
        // the instruction budget bounds loops instead, so it never jumps
        return j32 || srcX || x.src !== 0 ? unknown : target(pc + x.off + 1);
      }
      if (j > op.BPF_JSLE) return unknown;
      return regOk(x.dst, 'dst') ?? (srcX ? regOk(x.src, 'src') : null) ?? target(pc + x.off + 1);
    }
    case op.BPF_LDX: {
      const mode = c & 0xe0;
      if (mode !== op.BPF_MEM && !(mode === op.BPF_MEMSX && (c & 0x18) !== op.BPF_DW)) return unknown;
      return writable(x.dst) ?? regOk(x.src, 'src');
    }
    case op.BPF_ST:
      return (c & 0xe0) === op.BPF_MEM ? regOk(x.dst, 'dst') : unknown;
    case op.BPF_STX: {
      const mode = c & 0xe0;
      if (mode === op.BPF_MEM) return regOk(x.dst, 'dst') ?? regOk(x.src, 'src');
      if (mode !== op.BPF_ATOMIC) return unknown;
      const e = regOk(x.dst, 'dst') ?? regOk(x.src, 'src');
      if (e) return e;
      const size = c & 0x18;
      const a = x.imm;
      if (a === op.BPF_LOAD_ACQ) return writable(x.dst);
      if (a === op.BPF_STORE_REL) return null;
      if (size !== op.BPF_W && size !== op.BPF_DW) return unknown;
      const base = a & ~op.BPF_FETCH;
      if (base === op.BPF_ADD || base === op.BPF_OR || base === op.BPF_AND || base === op.BPF_XOR) {
        return a & op.BPF_FETCH ? writable(x.src) : null;
      }
      if (a === op.BPF_XCHG) return writable(x.src);
      if (a === op.BPF_CMPXCHG) return null;
      return bad(`unknown atomic operation 0x${(a >>> 0).toString(16)}`);
    }
    case op.BPF_LD: {
      if (c === LDDW) {
        if (pc + 1 >= n) return bad('lddw is missing its second slot');
        return writable(x.dst);
      }
      const mode = c & 0xe0;
      const size = c & 0x18;
      if ((mode === op.BPF_ABS || mode === op.BPF_IND) && size !== op.BPF_DW) {
        return mode === op.BPF_IND ? regOk(x.src, 'src') : null;
      }
      return unknown;
    }
  }
  return unknown;
}
