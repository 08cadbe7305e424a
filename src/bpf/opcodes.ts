// opcodes.ts: the eBPF instruction encoding's named numbers (include/uapi/linux/bpf.h,
// bpf_common.h, RFC 9669). Every module that reads or writes instructions uses these names.

/** Instruction classes: opcode & 0x07. */
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_JMP32 = 0x06;
export const BPF_ALU64 = 0x07;

/** Load/store sizes: opcode & 0x18. */
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;
export const BPF_DW = 0x18;

/** Load/store modes: opcode & 0xe0. */
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
export const BPF_MEMSX = 0x80;
export const BPF_ATOMIC = 0xc0;

/** Operand source: opcode & 0x08 (ALU/JMP). */
export const BPF_K = 0x00;
export const BPF_X = 0x08;

/** ALU operations: opcode & 0xf0. */
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;
export const BPF_MOV = 0xb0;
export const BPF_ARSH = 0xc0;
export const BPF_END = 0xd0;

/** BPF_END source bit: to little endian (BPF_ALU) / to big endian; BPF_ALU64|BPF_END is bswap. */
export const BPF_TO_LE = 0x00;
export const BPF_TO_BE = 0x08;

/** Jump operations: opcode & 0xf0. */
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;
export const BPF_JNE = 0x50;
export const BPF_JSGT = 0x60;
export const BPF_JSGE = 0x70;
export const BPF_CALL = 0x80;
export const BPF_EXIT = 0x90;
export const BPF_JLT = 0xa0;
export const BPF_JLE = 0xb0;
export const BPF_JSLT = 0xc0;
export const BPF_JSLE = 0xd0;
/** BPF_JMP|BPF_JCOND with src 0 (BPF_MAY_GOTO) is `may_goto` (uapi enum bpf_cond_pseudo_jmp). */
export const BPF_JCOND = 0xe0;

/** Atomic operations (imm field of BPF_STX|BPF_ATOMIC). */
export const BPF_FETCH = 0x01;
export const BPF_XCHG = 0xe0 | BPF_FETCH;
export const BPF_CMPXCHG = 0xf0 | BPF_FETCH;
/** Load-acquire / store-release (Linux 6.15+, LLVM 21). */
export const BPF_LOAD_ACQ = 0x100;
export const BPF_STORE_REL = 0x110;

/** src_reg values of `lddw` (BPF_LD|BPF_IMM|BPF_DW). */
export const BPF_PSEUDO_MAP_FD = 1;
export const BPF_PSEUDO_MAP_VALUE = 2;
export const BPF_PSEUDO_BTF_ID = 3;
export const BPF_PSEUDO_FUNC = 4;
export const BPF_PSEUDO_MAP_IDX = 5;
export const BPF_PSEUDO_MAP_IDX_VALUE = 6;

/** src_reg values of BPF_JMP|BPF_CALL. */
export const BPF_HELPER_CALL = 0;
export const BPF_PSEUDO_CALL = 1;
export const BPF_PSEUDO_KFUNC_CALL = 2;

/** Registers. */
export const BPF_REG_0 = 0;
export const BPF_REG_1 = 1;
export const BPF_REG_10 = 10;
export const MAX_BPF_REG = 11;

/** Limits the kernel enforces. */
export const MAX_BPF_STACK = 512;
export const MAX_CALL_FRAMES = 8;
export const MAX_TAIL_CALL_CNT = 33;
export const BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000;
export const BPF_MAXINSNS = 4096;

export const opClass = (code: number): number => code & 0x07;
export const opSize = (code: number): number => code & 0x18;
export const opMode = (code: number): number => code & 0xe0;
export const opSrc = (code: number): number => code & 0x08;
export const opAlu = (code: number): number => code & 0xf0;

/** Bytes moved by a BPF_W/H/B/DW size. */
export function sizeBytes(size: number): 1 | 2 | 4 | 8 {
  switch (size) {
    case BPF_B:
      return 1;
    case BPF_H:
      return 2;
    case BPF_W:
      return 4;
    default:
      return 8;
  }
}

/** True for the first slot of a 16-byte `lddw`. */
export const isLddw = (code: number): boolean => code === (BPF_LD | BPF_IMM | BPF_DW);
