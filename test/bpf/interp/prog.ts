// prog.ts: tiny instruction builders for the interpreter tests (the assembler lives elsewhere;
// these tests must not depend on it), and a one-call runner returning the VM and its result.
import { insn, type Insn } from '../../../src/bpf/insn.js';
import * as op from '../../../src/bpf/opcodes.js';
import { Vm, type Executable, type RunOptions, type RunResult } from '../../../src/bpf/vm.js';

export const SIZE = { b: op.BPF_B, h: op.BPF_H, w: op.BPF_W, dw: op.BPF_DW } as const;
export type Size = keyof typeof SIZE;

export const mov64 = (d: number, imm: number): Insn => insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_K, d, 0, 0, imm);
export const mov64r = (d: number, s: number, off = 0): Insn => insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_X, d, s, off);
export const mov32 = (d: number, imm: number): Insn => insn(op.BPF_ALU | op.BPF_MOV | op.BPF_K, d, 0, 0, imm);
export const mov32r = (d: number, s: number, off = 0): Insn => insn(op.BPF_ALU | op.BPF_MOV | op.BPF_X, d, s, off);
export const alu64 = (o: number, d: number, imm: number, off = 0): Insn => insn(op.BPF_ALU64 | o | op.BPF_K, d, 0, off, imm);
export const alu64r = (o: number, d: number, s: number, off = 0): Insn => insn(op.BPF_ALU64 | o | op.BPF_X, d, s, off);
export const alu32 = (o: number, d: number, imm: number, off = 0): Insn => insn(op.BPF_ALU | o | op.BPF_K, d, 0, off, imm);
export const alu32r = (o: number, d: number, s: number, off = 0): Insn => insn(op.BPF_ALU | o | op.BPF_X, d, s, off);
export const lddw = (d: number, v: bigint, src = 0): Insn[] => [
  insn(op.BPF_LD | op.BPF_IMM | op.BPF_DW, d, src, 0, Number(BigInt.asIntN(32, v))),
  insn(0, 0, 0, 0, Number(BigInt.asIntN(32, v >> 32n))),
];
export const ldx = (sz: Size, d: number, s: number, off: number): Insn => insn(op.BPF_LDX | op.BPF_MEM | SIZE[sz], d, s, off);
export const ldsx = (sz: Size, d: number, s: number, off: number): Insn => insn(op.BPF_LDX | op.BPF_MEMSX | SIZE[sz], d, s, off);
export const st = (sz: Size, d: number, off: number, imm: number): Insn => insn(op.BPF_ST | op.BPF_MEM | SIZE[sz], d, 0, off, imm);
export const stx = (sz: Size, d: number, s: number, off: number): Insn => insn(op.BPF_STX | op.BPF_MEM | SIZE[sz], d, s, off);
export const atomic = (sz: 'w' | 'dw', d: number, s: number, off: number, imm: number): Insn =>
  insn(op.BPF_STX | op.BPF_ATOMIC | SIZE[sz], d, s, off, imm);
export const jmp = (o: number, d: number, imm: number, off: number): Insn => insn(op.BPF_JMP | o | op.BPF_K, d, 0, off, imm);
export const jmpr = (o: number, d: number, s: number, off: number): Insn => insn(op.BPF_JMP | o | op.BPF_X, d, s, off);
export const jmp32 = (o: number, d: number, imm: number, off: number): Insn => insn(op.BPF_JMP32 | o | op.BPF_K, d, 0, off, imm);
export const jmp32r = (o: number, d: number, s: number, off: number): Insn => insn(op.BPF_JMP32 | o | op.BPF_X, d, s, off);
export const ja = (off: number): Insn => insn(op.BPF_JMP | op.BPF_JA, 0, 0, off);
export const gotol = (imm: number): Insn => insn(op.BPF_JMP32 | op.BPF_JA, 0, 0, 0, imm);
export const call = (id: number): Insn => insn(op.BPF_JMP | op.BPF_CALL, 0, 0, 0, id);
export const callLocal = (rel: number): Insn => insn(op.BPF_JMP | op.BPF_CALL, 0, op.BPF_PSEUDO_CALL, 0, rel);
export const callx = (reg: number): Insn => insn(op.BPF_JMP | op.BPF_CALL | op.BPF_X, reg);
export const exit = (): Insn => insn(op.BPF_JMP | op.BPF_EXIT);
export const ldAbs = (sz: Size, imm: number): Insn => insn(op.BPF_LD | op.BPF_ABS | SIZE[sz], 0, 0, 0, imm);
export const ldInd = (sz: Size, s: number, imm: number): Insn => insn(op.BPF_LD | op.BPF_IND | SIZE[sz], 0, s, 0, imm);

export function prog(...items: (Insn | Insn[])[]): Executable {
  return { name: 'test', insns: items.flat() };
}

export function runProg(
  items: (Insn | Insn[])[],
  setup?: (vm: Vm) => bigint | number | undefined | void,
  opts?: RunOptions,
): { vm: Vm; r: RunResult } {
  const vm = new Vm();
  const r1 = setup?.(vm);
  const r = vm.run(prog(...items), r1 ?? undefined, opts);
  return { vm, r };
}

/** r0 of a program that must not fault, as an unsigned 64-bit BigInt. */
export function r0Of(...items: (Insn | Insn[])[]): bigint {
  const { r } = runProg(items);
  if (r.fault) throw new Error(r.fault.describe());
  return r.r0u64;
}
