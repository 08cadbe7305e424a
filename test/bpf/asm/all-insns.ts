// all-insns.ts: every instruction form the ISA allows (RFC 9669 + what clang emits for
// -mcpu=v4, + load_acquire/store_release/may_goto/addr_space_cast), with edge-case fields.
// Each case is the slots of one instruction (two for lddw). Shared by the round-trip tests
// and the llvm fixture recorder.
import { type Insn, insn } from '../../../src/bpf/insn.js';
import * as O from '../../../src/bpf/opcodes.js';

const IMMS = [0, 1, -1, 76, 0x7fffffff, -0x80000000];
const OFFS = [0, 76, -8, 32767, -32768];
const ALU_OPS = [O.BPF_ADD, O.BPF_SUB, O.BPF_MUL, O.BPF_DIV, O.BPF_OR, O.BPF_AND, O.BPF_LSH, O.BPF_RSH, O.BPF_MOD, O.BPF_XOR, O.BPF_MOV, O.BPF_ARSH];
const JMP_OPS = [O.BPF_JEQ, O.BPF_JGT, O.BPF_JGE, O.BPF_JSET, O.BPF_JNE, O.BPF_JSGT, O.BPF_JSGE, O.BPF_JLT, O.BPF_JLE, O.BPF_JSLT, O.BPF_JSLE];
const SIZES = [O.BPF_B, O.BPF_H, O.BPF_W, O.BPF_DW];
const REG_PAIRS: [number, number][] = [[1, 2], [0, 10], [10, 9], [6, 0]];
const ATOMIC_RMW = [O.BPF_ADD, O.BPF_OR, O.BPF_AND, O.BPF_XOR];
const LOAD_ACQ = 0x100;
const STORE_REL = 0x110;
const JCOND = 0xe0;

function lddw(dst: number, src: number, lo: number, hi: number): Insn[] {
  return [insn(O.BPF_LD | O.BPF_IMM | O.BPF_DW, dst, src, 0, lo), insn(0, 0, 0, 0, hi)];
}

export function allInsns(): Insn[][] {
  const out: Insn[][] = [];
  const add = (...slots: Insn[]): void => {
    out.push(slots);
  };
  for (const cls of [O.BPF_ALU, O.BPF_ALU64]) {
    for (const op of ALU_OPS) {
      IMMS.forEach((imm, i) => add(insn(cls | op | O.BPF_K, i % 11, 0, 0, imm)));
      for (const [d, s] of REG_PAIRS) add(insn(cls | op | O.BPF_X, d, s));
    }
    for (const op of [O.BPF_DIV, O.BPF_MOD]) {
      for (const imm of [7, -1, -0x80000000]) add(insn(cls | op | O.BPF_K, 3, 0, 1, imm));
      for (const [d, s] of REG_PAIRS) add(insn(cls | op | O.BPF_X, d, s, 1));
    }
    for (const d of [0, 5, 10]) add(insn(cls | O.BPF_NEG | O.BPF_K, d));
    for (const bits of cls === O.BPF_ALU ? [8, 16] : [8, 16, 32]) add(insn(cls | O.BPF_MOV | O.BPF_X, 1, 2, bits));
    for (const bits of [16, 32, 64]) {
      if (cls === O.BPF_ALU) {
        add(insn(cls | O.BPF_END | O.BPF_TO_LE, 3, 0, 0, bits));
        add(insn(cls | O.BPF_END | O.BPF_TO_BE, 0, 0, 0, bits));
      } else {
        add(insn(cls | O.BPF_END | O.BPF_TO_LE, 9, 0, 0, bits));
      }
    }
  }
  add(insn(O.BPF_ALU64 | O.BPF_MOV | O.BPF_X, 1, 2, 1, 1 << 16));
  add(insn(O.BPF_ALU64 | O.BPF_MOV | O.BPF_X, 1, 2, 1, 1));

  for (const off of OFFS) add(insn(O.BPF_JMP | O.BPF_JA, 0, 0, off));
  for (const imm of [100000, -2, 0, -0x80000000, 0x7fffffff]) add(insn(O.BPF_JMP32 | O.BPF_JA, 0, 0, 0, imm));
  for (const off of [3, -3, 0]) add(insn(O.BPF_JMP | JCOND, 0, 0, off));
  for (const cls of [O.BPF_JMP, O.BPF_JMP32]) {
    for (const op of JMP_OPS) {
      [-4, 12, 32767].forEach((off, i) => add(insn(cls | op | O.BPF_K, i * 3, 0, off, IMMS[(i + op / 16) % IMMS.length])));
      for (const [d, s] of REG_PAIRS) add(insn(cls | op | O.BPF_X, d, s, -32768 + d));
    }
  }
  for (const imm of [0, 1, 12, 211, 0x7fffffff]) add(insn(O.BPF_JMP | O.BPF_CALL, 0, O.BPF_HELPER_CALL, 0, imm));
  for (const imm of [5, -3, 0]) add(insn(O.BPF_JMP | O.BPF_CALL, 0, O.BPF_PSEUDO_CALL, 0, imm));
  add(insn(O.BPF_JMP | O.BPF_CALL, 0, O.BPF_PSEUDO_KFUNC_CALL, 0, 1234));
  for (const d of [0, 2, 10]) add(insn(O.BPF_JMP | O.BPF_CALL | O.BPF_X, d));
  add(insn(O.BPF_JMP | O.BPF_EXIT));

  for (const sz of SIZES) {
    OFFS.forEach((off, i) => {
      const [d, s] = REG_PAIRS[i % REG_PAIRS.length];
      add(insn(O.BPF_LDX | O.BPF_MEM | sz, d, s, off));
      add(insn(O.BPF_ST | O.BPF_MEM | sz, d, 0, off, IMMS[i]));
      add(insn(O.BPF_STX | O.BPF_MEM | sz, d, s, off));
    });
    if (sz !== O.BPF_DW) for (const off of [-2, 0, 8]) add(insn(O.BPF_LDX | O.BPF_MEMSX | sz, 2, 1, off));
    add(insn(O.BPF_STX | O.BPF_ATOMIC | sz, 2, 1, 8, LOAD_ACQ));
    add(insn(O.BPF_STX | O.BPF_ATOMIC | sz, 1, 2, -8, STORE_REL));
  }
  for (const sz of [O.BPF_W, O.BPF_DW]) {
    for (const op of ATOMIC_RMW) {
      add(insn(O.BPF_STX | O.BPF_ATOMIC | sz, 1, 2, 8, op));
      add(insn(O.BPF_STX | O.BPF_ATOMIC | sz, 10, 0, -16, op | O.BPF_FETCH));
    }
    add(insn(O.BPF_STX | O.BPF_ATOMIC | sz, 1, 2, 8, O.BPF_XCHG));
    add(insn(O.BPF_STX | O.BPF_ATOMIC | sz, 1, 2, -8, O.BPF_CMPXCHG));
  }
  for (const sz of [O.BPF_B, O.BPF_H, O.BPF_W]) {
    for (const imm of [0, 12, -12]) add(insn(O.BPF_LD | O.BPF_ABS | sz, 0, 0, 0, imm));
    for (const imm of [0, 4, -4]) add(insn(O.BPF_LD | O.BPF_IND | sz, 0, 3, 0, imm));
  }
  for (const [lo, hi] of [[0, 0], [5, 0], [-1, -1], [0x55667788, 0x11223344], [0, -0x80000000], [-1, 0x7fffffff], [-1, 0], [0, 1]]) {
    add(...lddw(1, 0, lo, hi));
  }
  add(...lddw(1, O.BPF_PSEUDO_MAP_FD, 3, 0));
  add(...lddw(2, O.BPF_PSEUDO_MAP_IDX, 0, 0));
  add(...lddw(3, O.BPF_PSEUDO_MAP_VALUE, 3, 16));
  add(...lddw(4, O.BPF_PSEUDO_MAP_IDX_VALUE, 2, 0));
  add(...lddw(5, O.BPF_PSEUDO_FUNC, 5, 0));
  add(...lddw(5, O.BPF_PSEUDO_FUNC, -3, 0));
  add(...lddw(6, O.BPF_PSEUDO_BTF_ID, 42, 0));
  add(...lddw(7, O.BPF_PSEUDO_BTF_ID, 42, 7));
  return out;
}
