// disasm.ts: one instruction as the text `llvm-objdump -d --no-print-imm-hex` (LLVM 22) prints
// for it, so faults, traces and `prog dump` read like the tools people know.
// Never throws: encodings llvm cannot name print as `<unknown 0xNN>`. Forms llvm prints
// ambiguously get a spelling of our own that the assembler reads back (see README.md here).
import { lddwImm, type Insn } from '../insn.js';
import { helperName } from '../helpers/ids.js';
import type { ProgramReloc } from '../spec.js';
import {
  BPF_ABS,
  BPF_ALU,
  BPF_ALU64,
  BPF_ATOMIC,
  BPF_CALL,
  BPF_CMPXCHG,
  BPF_DIV,
  BPF_DW,
  BPF_END,
  BPF_EXIT,
  BPF_FETCH,
  BPF_HELPER_CALL,
  BPF_IMM,
  BPF_IND,
  BPF_JA,
  BPF_JMP,
  BPF_JMP32,
  BPF_LD,
  BPF_LDX,
  BPF_MEM,
  BPF_MEMSX,
  BPF_MOD,
  BPF_MOV,
  BPF_NEG,
  BPF_PSEUDO_CALL,
  BPF_PSEUDO_FUNC,
  BPF_PSEUDO_KFUNC_CALL,
  BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_IDX,
  BPF_PSEUDO_MAP_IDX_VALUE,
  BPF_PSEUDO_MAP_VALUE,
  BPF_ST,
  BPF_STX,
  BPF_W,
  BPF_X,
  BPF_XCHG,
  opAlu,
  opClass,
  opMode,
  opSize,
  opSrc,
  BPF_JCOND,
  BPF_LOAD_ACQ,
  BPF_STORE_REL,
} from '../opcodes.js';
import {
  ALU_OP_TEXT,
  ATOMIC_OP_TEXT,
  BPF_ADDR_SPACE_CAST,
  isMovsxOffset,
  JMP_OP_TEXT,
  SDIV_TEXT,
  SIZE_BITS,
  SMOD_TEXT,
  fmtMem,
  fmtNum,
  fmtRel,
} from './syntax.js';

export interface DisasmOptions {
  /** Immediates and offsets in hex, as `llvm-objdump --print-imm-hex` (llvm ≥ 15's default). */
  readonly hex?: boolean;
  /**
   * `r` registers for 8/16/32-bit LDX/STX and the 32-bit `lock ... +=`, as llvm-objdump ≤ 19
   * prints them without --mcpu. The default is `w`, as llvm-objdump 20+ (and --mcpu=v3/v4) does.
   * Other 32-bit atomics always print with `w`: the old default cannot name them.
   */
  readonly narrowAsR?: boolean;
  /** Append ` ; bpf_map_lookup_elem` to helper calls. */
  readonly helperNames?: boolean;
  /** Name lddw/call operands from the program's relocations (`map[flows]`, `kfunc[name]`). */
  readonly relocs?: readonly ProgramReloc[];
  /** A name for an instruction index; jumps and calls to it get objdump's ` <name>` suffix. */
  readonly symbolize?: (target: number) => string | undefined;
}

const NO_OPTIONS: DisasmOptions = {};

export const unknownText = (code: number): string =>
  `<unknown 0x${code.toString(16).padStart(2, '0')}>`;

/** The text of the instruction at `pc` (an `lddw` reads `pc + 1` too). */
export function disasmInsn(insns: readonly Insn[], pc: number, opts: DisasmOptions = NO_OPTIONS): string {
  const x = insns[pc];
  if (x === undefined) return '<no instruction>';
  switch (opClass(x.code)) {
    case BPF_ALU:
    case BPF_ALU64:
      return alu(x, opts.hex === true);
    case BPF_JMP:
    case BPF_JMP32:
      return jmp(x, pc, opts);
    case BPF_LDX:
      return ldx(x, opts);
    case BPF_ST:
      return st(x, opts.hex === true);
    case BPF_STX:
      return stx(x, opts);
    default:
      return ld(insns, pc, opts);
  }
}

function alu(x: Insn, hex: boolean): string {
  const is64 = opClass(x.code) === BPF_ALU64;
  const r = is64 ? 'r' : 'w';
  const op = opAlu(x.code);
  const isX = opSrc(x.code) === BPF_X;
  const dst = `${r}${x.dst}`;
  if (op === BPF_NEG) return isX || x.off !== 0 ? unknownText(x.code) : `${dst} = -${dst}`;
  if (op === BPF_END) {
    if ((x.imm !== 16 && x.imm !== 32 && x.imm !== 64) || x.off !== 0) return unknownText(x.code);
    // llvm prints byte swaps with r registers whatever the class.
    if (is64) return isX ? unknownText(x.code) : `r${x.dst} = bswap${x.imm} r${x.dst}`;
    return `r${x.dst} = ${isX ? 'be' : 'le'}${x.imm} r${x.dst}`;
  }
  let text = ALU_OP_TEXT.get(op);
  if (text === undefined) return unknownText(x.code);
  if (x.off !== 0) {
    if (op === BPF_DIV && x.off === 1) text = SDIV_TEXT;
    else if (op === BPF_MOD && x.off === 1) text = SMOD_TEXT;
    else if (op === BPF_MOV && isX) {
      if (isMovsxOffset(x.off) && (is64 || x.off !== 32)) return `${dst} = (s${x.off})${r}${x.src}`;
      if (is64 && x.off === BPF_ADDR_SPACE_CAST) {
        return `${dst} = addr_space_cast(r${x.src}, ${fmtNum(x.imm >>> 16, hex)}, ${fmtNum(x.imm & 0xffff, hex)})`;
      }
      return unknownText(x.code);
    } else return unknownText(x.code);
  }
  return `${dst} ${text} ${isX ? `${r}${x.src}` : fmtNum(x.imm, hex)}`;
}

function jmp(x: Insn, pc: number, opts: DisasmOptions): string {
  const hex = opts.hex === true;
  const is32 = opClass(x.code) === BPF_JMP32;
  const op = opAlu(x.code);
  const isX = opSrc(x.code) === BPF_X;
  switch (op) {
    case BPF_JA:
      if (isX) return unknownText(x.code);
      return is32
        ? `gotol ${fmtRel(x.imm, hex)}${target(pc + 1 + x.imm, opts)}`
        : `goto ${fmtRel(x.off, hex)}${target(pc + 1 + x.off, opts)}`;
    case BPF_CALL:
      if (is32) return unknownText(x.code);
      return isX ? `callx r${x.dst}` : call(x, pc, opts);
    case BPF_EXIT:
      return is32 || isX ? unknownText(x.code) : 'exit';
    case BPF_JCOND:
      return is32 || isX || x.src !== 0
        ? unknownText(x.code)
        : `may_goto ${fmtRel(x.off, hex)}${target(pc + 1 + x.off, opts)}`;
  }
  const text = JMP_OP_TEXT.get(op);
  if (text === undefined) return unknownText(x.code);
  const r = is32 ? 'w' : 'r';
  const rhs = isX ? `${r}${x.src}` : fmtNum(x.imm, hex);
  return `if ${r}${x.dst} ${text} ${rhs} goto ${fmtRel(x.off, hex)}${target(pc + 1 + x.off, opts)}`;
}

function call(x: Insn, pc: number, opts: DisasmOptions): string {
  const hex = opts.hex === true;
  switch (x.src) {
    case BPF_HELPER_CALL:
      return opts.helperNames === true ? `call ${fmtNum(x.imm, hex)} ; ${helperName(x.imm)}` : `call ${fmtNum(x.imm, hex)}`;
    case BPF_PSEUDO_CALL:
      // llvm prints `call -3`, which reads back as helper -3; the kernel's log says `call pc-3`.
      return `call pc${fmtRel(x.imm, hex)}${target(pc + 1 + x.imm, opts)}`;
    case BPF_PSEUDO_KFUNC_CALL: {
      const r = relocAt(opts, pc);
      return r?.kind === 'ksym' ? `call kfunc[${r.symbol}]` : `call kfunc[${fmtNum(x.imm, hex)}]`;
    }
    default:
      return unknownText(x.code);
  }
}

function target(t: number, opts: DisasmOptions): string {
  const name = opts.symbolize?.(t);
  return name === undefined ? '' : ` <${name}>`;
}

function relocAt(opts: DisasmOptions, pc: number): ProgramReloc | undefined {
  const relocs = opts.relocs;
  if (relocs === undefined) return undefined;
  for (const r of relocs) if (r.insn === pc) return r;
  return undefined;
}

/** `u32` / `s16` and friends; undefined for sizes a mode does not have. */
function sizeName(code: number, signed: boolean): string | undefined {
  const bits = SIZE_BITS.get(opSize(code));
  if (bits === undefined || (signed && bits === 64)) return undefined;
  return `${signed ? 's' : 'u'}${bits}`;
}

/** `w` for 8/16/32-bit loads and stores, unless asked for llvm 19's `r`. */
const narrowReg = (code: number, opts: DisasmOptions): string =>
  opts.narrowAsR !== true && opSize(code) !== BPF_DW ? 'w' : 'r';

function ldx(x: Insn, opts: DisasmOptions): string {
  const mode = opMode(x.code);
  if (mode !== BPF_MEM && mode !== BPF_MEMSX) return unknownText(x.code);
  const size = sizeName(x.code, mode === BPF_MEMSX);
  if (size === undefined) return unknownText(x.code);
  const r = mode === BPF_MEMSX ? 'r' : narrowReg(x.code, opts);
  return `${r}${x.dst} = *(${size} *)${fmtMem(x.src, x.off, opts.hex === true)}`;
}

function st(x: Insn, hex: boolean): string {
  if (opMode(x.code) !== BPF_MEM) return unknownText(x.code);
  return `*(${sizeName(x.code, false)} *)${fmtMem(x.dst, x.off, hex)} = ${fmtNum(x.imm, hex)}`;
}

function stx(x: Insn, opts: DisasmOptions): string {
  const hex = opts.hex === true;
  const mode = opMode(x.code);
  const size = sizeName(x.code, false) as string;
  const mem = fmtMem(x.dst, x.off, hex);
  if (mode === BPF_MEM) return `*(${size} *)${mem} = ${narrowReg(x.code, opts)}${x.src}`;
  if (mode !== BPF_ATOMIC) return unknownText(x.code);
  const sz = opSize(x.code);
  const w = sz === BPF_DW ? 'r' : 'w';
  // load_acquire reads through src into dst, unlike every other STX.
  if (x.imm === BPF_LOAD_ACQ) return `${w}${x.dst} = load_acquire((${size} *)${fmtMem(x.src, x.off, hex)})`;
  if (x.imm === BPF_STORE_REL) return `store_release((${size} *)${mem}, ${w}${x.src})`;
  if (sz !== BPF_W && sz !== BPF_DW) return unknownText(x.code);
  const v = `${w}${x.src}`;
  if (x.imm === BPF_XCHG) return sz === BPF_DW ? `${v} = xchg_64(${mem.slice(1, -1)}, ${v})` : `${v} = xchg32_32(${mem.slice(1, -1)}, ${v})`;
  if (x.imm === BPF_CMPXCHG) {
    return sz === BPF_DW
      ? `r0 = cmpxchg_64(${mem.slice(1, -1)}, r0, ${v})`
      : `w0 = cmpxchg32_32(${mem.slice(1, -1)}, w0, ${v})`;
  }
  const op = ATOMIC_OP_TEXT.get(x.imm & ~BPF_FETCH);
  if (op === undefined) return unknownText(x.code);
  if ((x.imm & BPF_FETCH) !== 0) return `${v} = ${op.fetch}((${size} *)${mem}, ${v})`;
  // llvm 19's default decodes the 32-bit xadd of -mcpu=v1 with an r register.
  const lockReg = sz === BPF_W && opts.narrowAsR === true && x.imm === 0 ? 'r' : w;
  return `lock *(${size} *)${mem} ${op.lock} ${lockReg}${x.src}`;
}

function ld(insns: readonly Insn[], pc: number, opts: DisasmOptions): string {
  const x = insns[pc];
  const hex = opts.hex === true;
  const mode = opMode(x.code);
  const sz = opSize(x.code);
  if (mode === BPF_ABS || mode === BPF_IND) {
    if (sz === BPF_DW) return unknownText(x.code);
    const size = sizeName(x.code, false);
    if (mode === BPF_ABS) return `r0 = *(${size} *)skb[${fmtNum(x.imm, hex)}]`;
    // llvm drops a non-zero imm here (`skb[r3]`); we print it so the text keeps the meaning.
    if (x.imm === 0) return `r0 = *(${size} *)skb[r${x.src}]`;
    const k = x.imm < 0 ? ` - ${fmtNum(-x.imm, hex)}` : ` + ${fmtNum(x.imm, hex)}`;
    return `r0 = *(${size} *)skb[r${x.src}${k}]`;
  }
  if (mode !== BPF_IMM || sz !== BPF_DW) return unknownText(x.code);
  const hi = insns[pc + 1];
  if (hi === undefined) return unknownText(x.code);
  return lddw(x, hi, pc, opts);
}

function lddw(lo: Insn, hi: Insn, pc: number, opts: DisasmOptions): string {
  const hex = opts.hex === true;
  const dst = `r${lo.dst}`;
  const r = relocAt(opts, pc);
  if (r !== undefined) {
    switch (r.kind) {
      case 'map':
        return `${dst} = map[${r.map}] ll`;
      case 'map_value':
        return `${dst} = map[${r.map}][0]+${fmtNum(r.offset, hex)} ll`;
      case 'ksym':
        return `${dst} = ksym[${r.symbol}] ll`;
      case 'func':
        return `${dst} = func[pc${fmtRel(r.target - pc - 1, hex)}] ll${target(r.target, opts)}`;
    }
  }
  const hiU = hi.imm >>> 0;
  switch (lo.src) {
    case 0: {
      const v = BigInt.asIntN(64, lddwImm(lo, hi));
      return `${dst} = ${fmtNum(v, hex)} ll`;
    }
    case BPF_PSEUDO_MAP_FD:
    case BPF_PSEUDO_MAP_IDX:
      if (hiU !== 0) break;
      return `${dst} = map[${lo.src === BPF_PSEUDO_MAP_FD ? 'fd' : 'idx'}:${lo.imm >>> 0}] ll`;
    case BPF_PSEUDO_MAP_VALUE:
    case BPF_PSEUDO_MAP_IDX_VALUE:
      return `${dst} = map[${lo.src === BPF_PSEUDO_MAP_VALUE ? 'fd' : 'idx'}:${lo.imm >>> 0}][0]+${fmtNum(hiU, hex)} ll`;
    case BPF_PSEUDO_FUNC:
      if (hiU !== 0) break;
      return `${dst} = func[pc${fmtRel(lo.imm, hex)}] ll${target(pc + 1 + lo.imm, opts)}`;
  }
  // llvm's own spelling for the rest (BPF_PSEUDO_BTF_ID, unknown src); a 4th operand keeps hi.imm.
  const base = `ld_pseudo\t${dst}, ${fmtNum(lo.src, hex)}, ${fmtNum(lo.imm >>> 0, hex)}`;
  return hiU === 0 ? base : `${base}, ${fmtNum(hiU, hex)}`;
}
