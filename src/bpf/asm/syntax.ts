// syntax.ts: the spellings llvm-objdump uses for BPF (llvm/lib/Target/BPF/BPFInstrInfo.td),
// shared by the disassembler and the assembler so both sides agree on every operator and name.
import {
  BPF_ADD,
  BPF_AND,
  BPF_ARSH,
  BPF_B,
  BPF_DIV,
  BPF_DW,
  BPF_H,
  BPF_JEQ,
  BPF_JGE,
  BPF_JGT,
  BPF_JLE,
  BPF_JLT,
  BPF_JNE,
  BPF_JSET,
  BPF_JSGE,
  BPF_JSGT,
  BPF_JSLE,
  BPF_JSLT,
  BPF_LSH,
  BPF_MOD,
  BPF_MOV,
  BPF_MUL,
  BPF_OR,
  BPF_RSH,
  BPF_SUB,
  BPF_W,
  BPF_XOR,
} from '../opcodes.js';

/** Two-operand ALU operators by BPF_OP (NEG and END have their own forms). */
export const ALU_OP_TEXT: ReadonlyMap<number, string> = new Map([
  [BPF_ADD, '+='],
  [BPF_SUB, '-='],
  [BPF_MUL, '*='],
  [BPF_DIV, '/='],
  [BPF_OR, '|='],
  [BPF_AND, '&='],
  [BPF_LSH, '<<='],
  [BPF_RSH, '>>='],
  [BPF_MOD, '%='],
  [BPF_XOR, '^='],
  [BPF_MOV, '='],
  [BPF_ARSH, 's>>='],
]);

/** Signed variants of BPF_DIV / BPF_MOD (off = 1, ISA v4). */
export const SDIV_TEXT = 's/=';
export const SMOD_TEXT = 's%=';

/** Conditional jump operators by BPF_OP. */
export const JMP_OP_TEXT: ReadonlyMap<number, string> = new Map([
  [BPF_JEQ, '=='],
  [BPF_JGT, '>'],
  [BPF_JGE, '>='],
  [BPF_JSET, '&'],
  [BPF_JNE, '!='],
  [BPF_JSGT, 's>'],
  [BPF_JSGE, 's>='],
  [BPF_JLT, '<'],
  [BPF_JLE, '<='],
  [BPF_JSLT, 's<'],
  [BPF_JSLE, 's<='],
]);

/** `u8`.. `u64` by BPF_SIZE. */
export const SIZE_BITS: ReadonlyMap<number, number> = new Map([
  [BPF_B, 8],
  [BPF_H, 16],
  [BPF_W, 32],
  [BPF_DW, 64],
]);

/** Atomic read-modify-write operations (imm of BPF_STX|BPF_ATOMIC without BPF_FETCH). */
export const ATOMIC_OP_TEXT: ReadonlyMap<number, { lock: string; fetch: string }> = new Map([
  [BPF_ADD, { lock: '+=', fetch: 'atomic_fetch_add' }],
  [BPF_OR, { lock: '|=', fetch: 'atomic_fetch_or' }],
  [BPF_AND, { lock: '&=', fetch: 'atomic_fetch_and' }],
  [BPF_XOR, { lock: '^=', fetch: 'atomic_fetch_xor' }],
]);

/** movsx offsets and the arena cast marker on BPF_ALU64|BPF_MOV|BPF_X. */
export const MOVSX_OFFSETS = [8, 16, 32] as const;
export const isMovsxOffset = (off: number): boolean => (MOVSX_OFFSETS as readonly number[]).includes(off);
export const BPF_ADDR_SPACE_CAST = 1;

/** Signed decimal, or llvm's --print-imm-hex spelling (`-0x7`). */
export function fmtNum(n: number | bigint, hex: boolean): string {
  if (!hex) return String(n);
  return n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}

/** `+5` / `-3` for branch offsets. */
export function fmtRel(n: number, hex: boolean): string {
  return n < 0 ? fmtNum(n, hex) : `+${fmtNum(n, hex)}`;
}

/** `(r1 + 76)` / `(r10 - 8)`: the memory operand's base and offset. */
export function fmtMem(base: number, off: number, hex: boolean): string {
  return off < 0 ? `(r${base} - ${fmtNum(-off, hex)})` : `(r${base} + ${fmtNum(off, hex)})`;
}
