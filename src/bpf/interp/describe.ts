// describe.ts: the text of one instruction for fault messages: the project's llvm-objdump style
// disassembler (`r2 = *(u32 *)(r1 + 76)`), or, should it fail, a raw field dump that always
// works (`code=0x61 dst=r2 src=r1 off=76 imm=0`).
import { disasmInsn } from '../asm/disasm.js';
import type { Insn } from '../insn.js';

type Disassembler = (insns: readonly Insn[], pc: number) => string;

const defaultDisassembler: Disassembler = (insns, pc) => disasmInsn(insns, pc);
let disassembler: Disassembler | null = defaultDisassembler;

/** Replaces the disassembler used for fault text (null: raw field dumps; undefined: the default). */
export function setInsnDisassembler(fn: Disassembler | null | undefined): void {
  disassembler = fn === undefined ? defaultDisassembler : fn;
}

export function describeInsn(insns: readonly Insn[], pc: number): string {
  const x = insns[pc];
  if (x === undefined) return pc === insns.length ? '<end of program>' : '<no instruction>';
  if (disassembler !== null) {
    try {
      return disassembler(insns, pc);
    } catch {
      // fall through to the raw form: a fault message must never fail
    }
  }
  return rawInsn(x);
}

export function rawInsn(x: Insn): string {
  const code = `0x${x.code.toString(16).padStart(2, '0')}`;
  return `code=${code} dst=r${x.dst} src=r${x.src} off=${x.off} imm=${x.imm}`;
}
