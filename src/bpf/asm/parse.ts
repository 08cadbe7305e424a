// parse.ts: one statement of BPF assembly (llvm-objdump syntax, see README.md) into the
// instruction slots it encodes, plus what the second pass must fill in: a label to resolve
// (jump, call, func address) or a relocation (map, ksym). Knows nothing about other lines.
import { type Insn, insn } from '../insn.js';
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
  BPF_IMM,
  BPF_IND,
  BPF_JA,
  BPF_JMP,
  BPF_JMP32,
  BPF_K,
  BPF_LD,
  BPF_LDX,
  BPF_MEM,
  BPF_MEMSX,
  BPF_MOD,
  BPF_MOV,
  BPF_NEG,
  BPF_PSEUDO_BTF_ID,
  BPF_PSEUDO_CALL,
  BPF_PSEUDO_FUNC,
  BPF_PSEUDO_KFUNC_CALL,
  BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_IDX,
  BPF_PSEUDO_MAP_IDX_VALUE,
  BPF_PSEUDO_MAP_VALUE,
  BPF_ST,
  BPF_STX,
  BPF_TO_BE,
  BPF_TO_LE,
  BPF_W,
  BPF_X,
  BPF_XCHG,
  MAX_BPF_REG,
  BPF_JCOND,
  BPF_LOAD_ACQ,
  BPF_STORE_REL,
} from '../opcodes.js';
import type { Token } from './lexer.js';
import {
  ALU_OP_TEXT,
  ATOMIC_OP_TEXT,
  BPF_ADDR_SPACE_CAST,
  JMP_OP_TEXT,
  MOVSX_OFFSETS,
  SDIV_TEXT,
  SIZE_BITS,
  SMOD_TEXT,
} from './syntax.js';

/** Something the second pass fills in once every label is known. */
export type Fixup =
  /** branch: `off` (goto, if, may_goto) or `imm` (gotol) = target - (pc + 1) */
  | { readonly kind: 'branch'; readonly field: 'off' | 'imm'; readonly label: Token }
  /** `call name`: a local label (bpf-to-bpf, src=1) or else a helper name */
  | { readonly kind: 'call'; readonly label: Token }
  /** `r1 = func[label] ll` */
  | { readonly kind: 'func'; readonly label: Token };

export type RelocDraft =
  | { readonly kind: 'map'; readonly map: string }
  | { readonly kind: 'map_value'; readonly map: string; readonly offset: number }
  | { readonly kind: 'ksym'; readonly symbol: string };

export interface Stmt {
  readonly slots: Insn[];
  readonly fixup?: Fixup;
  readonly reloc?: RelocDraft;
}

export class ParseError extends Error {
  constructor(
    readonly col: number,
    message: string,
  ) {
    super(message);
  }
}

interface Reg {
  readonly n: number;
  /** `w` register (32-bit view) */
  readonly w: boolean;
  readonly tok: Token;
}

const INT32_MIN = -(2n ** 31n);
const UINT32_MAX = 2n ** 32n - 1n;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

const ALU_OPS = new Map<string, number>([...ALU_OP_TEXT].map(([op, t]) => [t, op]));
const JMP_OPS = new Map<string, number>([...JMP_OP_TEXT].map(([op, t]) => [t, op]));
const SIZES = new Map<string, number>([...SIZE_BITS].map(([sz, bits]) => [`u${bits}`, sz]));
const FETCH_OPS = new Map<string, number>([...ATOMIC_OP_TEXT].map(([op, t]) => [t.fetch, op | BPF_FETCH]));
const LOCK_OPS = new Map<string, number>([...ATOMIC_OP_TEXT].map(([op, t]) => [t.lock, op]));

/** A cursor over one statement's tokens. */
export class Cursor {
  i = 0;
  constructor(
    readonly toks: readonly Token[],
    /** column just past the line's last character, for "expected X at end of line" */
    readonly endCol: number,
  ) {}

  peek(k = 0): Token | undefined {
    return this.toks[this.i + k];
  }
  atText(text: string, k = 0): boolean {
    const t = this.toks[this.i + k];
    return t !== undefined && t.kind !== 'raw' && t.text === text;
  }
  col(): number {
    return this.peek()?.col ?? this.endCol;
  }
  fail(message: string, col = this.col()): never {
    throw new ParseError(col, message);
  }
  next(what: string): Token {
    const t = this.toks[this.i];
    if (t === undefined) this.fail(`expected ${what} at end of line`);
    this.i++;
    return t;
  }
  eat(text: string): boolean {
    if (!this.atText(text)) return false;
    this.i++;
    return true;
  }
  expect(text: string): Token {
    const t = this.peek();
    if (t === undefined) this.fail(`expected '${text}' at end of line`);
    if (t.kind === 'raw' || t.text !== text) this.fail(`expected '${text}', found '${t.text}'`);
    this.i++;
    return t;
  }
  /** The statement must end here (objdump's ` <target>` annotations are allowed and ignored). */
  end(): void {
    const t = this.peek();
    if (t === undefined || t.text === '<') return;
    this.fail(`unexpected '${t.text}'`);
  }

  isReg(k = 0): boolean {
    const t = this.peek(k);
    return t !== undefined && t.kind === 'id' && /^[rw]\d+$/.test(t.text);
  }
  reg(what = 'a register'): Reg {
    const t = this.peek();
    if (t === undefined) this.fail(`expected ${what} at end of line`);
    if (!this.isReg()) this.fail(`expected ${what}, found '${t.text}'`);
    const n = Number(t.text.slice(1));
    if (n >= MAX_BPF_REG || t.text.length > 3 || (t.text.length === 3 && t.text[1] === '0')) {
      this.fail(`no register '${t.text}' (r0..r10)`);
    }
    this.i++;
    return { n, w: t.text[0] === 'w', tok: t };
  }
  /** An `r` register (address bases, call targets). */
  reg64(what = 'an r register'): Reg {
    const r = this.reg(what);
    if (r.w) this.fail(`expected ${what}, found '${r.tok.text}'`, r.tok.col);
    return r;
  }

  /** `[+|-]NUMBER`; `col` of the first token. */
  signed(what = 'a number'): { value: bigint; col: number } {
    const col = this.col();
    let neg = false;
    if (this.eat('-')) neg = true;
    else this.eat('+');
    const t = this.peek();
    if (t === undefined || t.kind !== 'num') {
      this.fail(t === undefined ? `expected ${what} at end of line` : `expected ${what}, found '${t.text}'`);
    }
    this.i++;
    return { value: neg ? -(t.value as bigint) : (t.value as bigint), col };
  }
  isNumberNext(): boolean {
    const k = this.atText('-') || this.atText('+') ? 1 : 0;
    return this.peek(k)?.kind === 'num';
  }
  imm32(what = 'an immediate'): number {
    const { value, col } = this.signed(what);
    if (value < INT32_MIN || value > UINT32_MAX) this.fail(`${what} ${value} does not fit in 32 bits`, col);
    return Number(BigInt.asIntN(32, value));
  }
  off16(what = 'an offset'): number {
    const { value, col } = this.signed(what);
    if (value < -32768n || value > 32767n) this.fail(`${what} ${value} does not fit in 16 bits (-32768..32767)`, col);
    return Number(value);
  }
  /** `u8`..`u64` (or `s8`..`s32` when `signed` allows). Returns BPF_SIZE and whether signed. */
  sizeName(signedOk: boolean): { size: number; signed: boolean } {
    const t = this.next('a size (u8, u16, u32, u64)');
    const m = /^([us])(8|16|32|64)$/.exec(t.text);
    if (m === null || t.kind !== 'id') this.fail(`expected a size (u8, u16, u32, u64), found '${t.text}'`, t.col);
    const signed = m[1] === 's';
    if (signed && (!signedOk || m[2] === '64')) this.fail(`no sign-extending form '${t.text}' here`, t.col);
    return { size: SIZES.get(`u${m[2]}`) as number, signed };
  }
  /** `(SIZE *)` */
  sizeCast(signedOk: boolean): { size: number; signed: boolean } {
    this.expect('(');
    const s = this.sizeName(signedOk);
    this.expect('*');
    this.expect(')');
    return s;
  }
  /** `(rN + OFF)` / `(rN - OFF)`, or without parentheses when `parens` is false. */
  addr(parens = true): { base: number; off: number } {
    if (parens) this.expect('(');
    const base = this.reg64('a base register').n;
    let off = 0;
    if (this.atText('+') || this.atText('-')) off = this.off16('a memory offset');
    if (parens) this.expect(')');
    return { base, off };
  }
}

/** Parses one statement (labels already taken off). */
export function parseStmt(c: Cursor): Stmt {
  const t = c.peek() as Token;
  if (t.kind === 'id') {
    switch (t.text) {
      case 'exit':
        c.i++;
        c.end();
        return one(insn(BPF_JMP | BPF_EXIT));
      case 'goto':
      case 'gotol':
      case 'may_goto': {
        c.i++;
        const code = t.text === 'gotol' ? BPF_JMP32 | BPF_JA : t.text === 'goto' ? BPF_JMP | BPF_JA : BPF_JMP | BPF_JCOND;
        return branch(c, insn(code), t.text === 'gotol' ? 'imm' : 'off');
      }
      case 'call':
        c.i++;
        return parseCall(c);
      case 'callx': {
        c.i++;
        const r = c.reg64();
        c.end();
        return one(insn(BPF_JMP | BPF_CALL | BPF_X, r.n));
      }
      case 'if':
        c.i++;
        return parseIf(c);
      case 'lock':
        c.i++;
        return parseLock(c);
      case 'ld_pseudo':
        c.i++;
        return parseLdPseudo(c);
      case 'store_release': {
        c.i++;
        c.expect('(');
        const { size } = c.sizeCast(false);
        const { base, off } = c.addr();
        c.expect(',');
        const v = c.reg();
        c.expect(')');
        c.end();
        return one(insn(BPF_STX | BPF_ATOMIC | size, base, v.n, off, BPF_STORE_REL));
      }
    }
    if (c.isReg()) return parseRegStmt(c);
    c.fail(`unknown instruction '${t.text}'`);
  }
  if (t.text === '*') return parseStore(c);
  return c.fail(`unexpected '${t.text}'`);
}

const one = (x: Insn): Stmt => ({ slots: [x] });

/** `+N` / `-N` / `N` / `label`, into `field`. */
function branch(c: Cursor, x: Insn, field: 'off' | 'imm'): Stmt {
  const t = c.peek();
  if (t !== undefined && t.kind === 'id') {
    c.i++;
    c.end();
    return { slots: [x], fixup: { kind: 'branch', field, label: t } };
  }
  if (field === 'off') x.off = c.off16('a jump offset');
  else x.imm = c.imm32('a jump offset');
  c.end();
  return one(x);
}

function parseCall(c: Cursor): Stmt {
  const t = c.next('a helper id, helper name or label');
  if (t.kind === 'id' && t.text === 'pc' && (c.atText('+') || c.atText('-'))) {
    const imm = c.imm32('a call offset');
    c.end();
    return one(insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, imm));
  }
  if (t.kind === 'id' && t.text === 'kfunc' && c.atText('[')) {
    c.i++;
    const raw = c.next('a kfunc name or BTF id');
    c.expect(']');
    c.end();
    const x = insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL);
    if (/^(0x[0-9a-fA-F]+|\d+)$/.test(raw.text)) {
      x.imm = Number(BigInt.asIntN(32, BigInt(raw.text)));
      return one(x);
    }
    return { slots: [x], reloc: { kind: 'ksym', symbol: raw.text } };
  }
  if (t.kind === 'id') {
    c.end();
    return { slots: [insn(BPF_JMP | BPF_CALL)], fixup: { kind: 'call', label: t } };
  }
  if (t.text === '-') {
    c.fail(`helper ids are not negative; write 'call pc-N' for a bpf-to-bpf call`, t.col);
  }
  c.i--;
  const imm = c.imm32('a helper id');
  c.end();
  return one(insn(BPF_JMP | BPF_CALL, 0, 0, 0, imm));
}

function parseIf(c: Cursor): Stmt {
  const a = c.reg();
  const opTok = c.next('a comparison');
  const op = JMP_OPS.get(opTok.text);
  if (op === undefined || opTok.kind !== 'op') c.fail(`expected a comparison (==, >, s<, ...), found '${opTok.text}'`, opTok.col);
  const cls = a.w ? BPF_JMP32 : BPF_JMP;
  let x: Insn;
  if (c.isReg()) {
    const b = c.reg();
    if (b.w !== a.w) c.fail(`'${b.tok.text}' and '${a.tok.text}' differ in width`, b.tok.col);
    x = insn(cls | op | BPF_X, a.n, b.n);
  } else {
    x = insn(cls | op | BPF_K, a.n, 0, 0, c.imm32());
  }
  c.expect('goto');
  return branch(c, x, 'off');
}

/** `lock *(u64 *)(r1 + 8) += r2` */
function parseLock(c: Cursor): Stmt {
  c.expect('*');
  const { size } = c.sizeCast(false);
  if (size !== BPF_W && size !== BPF_DW) c.fail('atomic operations are 32 or 64 bits');
  const { base, off } = c.addr();
  const opTok = c.next('an atomic operator (+=, |=, &=, ^=)');
  const op = LOCK_OPS.get(opTok.text);
  if (op === undefined) c.fail(`expected an atomic operator (+=, |=, &=, ^=), found '${opTok.text}'`, opTok.col);
  const v = c.reg();
  if (size === BPF_DW && v.w) c.fail(`a 64-bit atomic takes an r register, found '${v.tok.text}'`, v.tok.col);
  c.end();
  return one(insn(BPF_STX | BPF_ATOMIC | size, base, v.n, off, op));
}

/** `ld_pseudo r1, SRC, IMM[, HI]` (llvm's spelling of lddw with a pseudo src). */
function parseLdPseudo(c: Cursor): Stmt {
  const d = c.reg64();
  c.expect(',');
  const srcTok = c.peek();
  const src = c.imm32('a pseudo source');
  if (src < 0 || src > 15) c.fail(`pseudo source ${src} is not 0..15`, srcTok?.col);
  c.expect(',');
  const imm = c.imm32();
  let hi = 0;
  if (c.eat(',')) hi = c.imm32();
  c.end();
  return { slots: [insn(BPF_LD | BPF_IMM | BPF_DW, d.n, src, 0, imm), insn(0, 0, 0, 0, hi)] };
}

/** `*(u32 *)(r10 - 8) = r1` / `= 5` */
function parseStore(c: Cursor): Stmt {
  c.expect('*');
  const { size } = c.sizeCast(false);
  const { base, off } = c.addr();
  c.expect('=');
  if (c.isReg()) {
    const v = c.reg();
    if (size === BPF_DW && v.w) c.fail(`a 64-bit store takes an r register, found '${v.tok.text}'`, v.tok.col);
    c.end();
    return one(insn(BPF_STX | BPF_MEM | size, base, v.n, off));
  }
  const imm = c.imm32('a value to store');
  c.end();
  return one(insn(BPF_ST | BPF_MEM | size, base, 0, off, imm));
}

/** Everything that starts with a register. */
function parseRegStmt(c: Cursor): Stmt {
  const d = c.reg();
  const cls = d.w ? BPF_ALU : BPF_ALU64;
  const opTok = c.next('an operator');
  if (opTok.text === '=') return parseAssign(c, d);
  let op = ALU_OPS.get(opTok.text);
  let off = 0;
  if (opTok.text === SDIV_TEXT) [op, off] = [BPF_DIV, 1];
  if (opTok.text === SMOD_TEXT) [op, off] = [BPF_MOD, 1];
  if (op === undefined || opTok.kind !== 'op') c.fail(`expected an operator (=, +=, s>>=, ...), found '${opTok.text}'`, opTok.col);
  if (c.isReg()) {
    const s = c.reg();
    if (s.w !== d.w) c.fail(`'${s.tok.text}' and '${d.tok.text}' differ in width`, s.tok.col);
    c.end();
    return one(insn(cls | op | BPF_X, d.n, s.n, off));
  }
  const imm = c.imm32();
  c.end();
  return one(insn(cls | op | BPF_K, d.n, 0, off, imm));
}

const END_RE = /^(be|le|bswap)(16|32|64)$/;
const MOVSX_RE = new RegExp(`^s(${MOVSX_OFFSETS.join('|')})$`);

function parseAssign(c: Cursor, d: Reg): Stmt {
  const cls = d.w ? BPF_ALU : BPF_ALU64;
  const t = c.peek();
  if (t === undefined) c.fail('expected a value at end of line');
  // r1 = -r1
  if (t.text === '-' && c.isReg(1)) {
    c.i++;
    const s = c.reg();
    if (s.n !== d.n || s.w !== d.w) c.fail(`negation is in place: expected '${d.tok.text}'`, s.tok.col);
    c.end();
    return one(insn(cls | BPF_NEG | BPF_K, d.n));
  }
  if (c.isNumberNext()) return parseConst(c, d);
  if (c.isReg()) {
    const s = c.reg();
    if (s.w !== d.w) c.fail(`'${s.tok.text}' and '${d.tok.text}' differ in width`, s.tok.col);
    c.end();
    return one(insn(cls | BPF_MOV | BPF_X, d.n, s.n));
  }
  // r1 = (s8)r2
  if (t.text === '(' && c.peek(1)?.kind === 'id' && MOVSX_RE.test(c.peek(1)?.text ?? '')) {
    c.i++;
    const bitsTok = c.next('a size');
    const bits = Number(bitsTok.text.slice(1));
    if (bits === 32 && d.w) c.fail(`'(s32)' needs an r register`, bitsTok.col);
    c.expect(')');
    const s = c.reg();
    if (s.w !== d.w) c.fail(`'${s.tok.text}' and '${d.tok.text}' differ in width`, s.tok.col);
    c.end();
    return one(insn(cls | BPF_MOV | BPF_X, d.n, s.n, bits));
  }
  if (t.text === '*') return parseLoad(c, d);
  if (t.kind !== 'id') c.fail(`unexpected '${t.text}'`);
  c.i++;
  const end = END_RE.exec(t.text);
  if (end !== null) {
    const s = c.reg();
    if (s.n !== d.n) c.fail(`byte swaps are in place: expected 'r${d.n}'`, s.tok.col);
    c.end();
    const bits = Number(end[2]);
    if (end[1] === 'bswap') return one(insn(BPF_ALU64 | BPF_END | BPF_TO_LE, d.n, 0, 0, bits));
    return one(insn(BPF_ALU | BPF_END | (end[1] === 'be' ? BPF_TO_BE : BPF_TO_LE), d.n, 0, 0, bits));
  }
  switch (t.text) {
    case 'map':
    case 'func':
    case 'ksym':
      return parsePseudoLoad(c, d, t);
    case 'xchg_64':
    case 'xchg32_32':
    case 'cmpxchg_64':
    case 'cmpxchg32_32':
      return parseXchg(c, d, t);
    case 'load_acquire': {
      c.expect('(');
      const { size } = c.sizeCast(false);
      if (d.w === (size === BPF_DW)) c.fail(`load_acquire of ${SIZE_BITS.get(size)} bits takes ${size === BPF_DW ? 'an r' : 'a w'} register`, d.tok.col);
      const { base, off } = c.addr();
      c.expect(')');
      c.end();
      return one(insn(BPF_STX | BPF_ATOMIC | size, d.n, base, off, BPF_LOAD_ACQ));
    }
    case 'addr_space_cast': {
      if (d.w) c.fail('addr_space_cast takes r registers', d.tok.col);
      c.expect('(');
      const s = c.reg64();
      c.expect(',');
      const hi = c.imm32('an address space');
      c.expect(',');
      const lo = c.imm32('an address space');
      c.expect(')');
      c.end();
      return one(insn(BPF_ALU64 | BPF_MOV | BPF_X, d.n, s.n, BPF_ADDR_SPACE_CAST, ((hi << 16) | (lo & 0xffff)) | 0));
    }
  }
  const fetch = FETCH_OPS.get(t.text);
  if (fetch !== undefined) {
    // r2 = atomic_fetch_add((u64 *)(r1 + 8), r2)
    c.expect('(');
    const { size } = c.sizeCast(false);
    if (size !== BPF_W && size !== BPF_DW) c.fail('atomic operations are 32 or 64 bits');
    checkAtomicWidth(c, d, size);
    const { base, off } = c.addr();
    c.expect(',');
    const v = c.reg();
    if (v.n !== d.n || v.w !== d.w) c.fail(`the fetched value returns in the operand: expected '${d.tok.text}'`, v.tok.col);
    c.expect(')');
    c.end();
    return one(insn(BPF_STX | BPF_ATOMIC | size, base, v.n, off, fetch));
  }
  return c.fail(`unknown operand '${t.text}'`, t.col);
}

function checkAtomicWidth(c: Cursor, r: Reg, size: number): void {
  if (r.w !== (size === BPF_W)) c.fail(`a ${SIZE_BITS.get(size)}-bit atomic takes ${size === BPF_W ? 'a w' : 'an r'} register, found '${r.tok.text}'`, r.tok.col);
}

/** `r2 = xchg_64(r1 + 8, r2)` / `r0 = cmpxchg_64(r1 + 8, r0, r2)` and the 32-bit `..32_32`. */
function parseXchg(c: Cursor, d: Reg, t: Token): Stmt {
  const size = t.text.endsWith('_64') ? BPF_DW : BPF_W;
  checkAtomicWidth(c, d, size);
  c.expect('(');
  const { base, off } = c.addr(false);
  c.expect(',');
  if (t.text.startsWith('cmpxchg')) {
    if (d.n !== 0) c.fail(`cmpxchg returns in r0`, d.tok.col);
    const r0 = c.reg();
    if (r0.n !== 0 || r0.w !== d.w) c.fail(`cmpxchg compares with '${d.tok.text}'`, r0.tok.col);
    c.expect(',');
    const v = c.reg();
    checkAtomicWidth(c, v, size);
    c.expect(')');
    c.end();
    return one(insn(BPF_STX | BPF_ATOMIC | size, base, v.n, off, BPF_CMPXCHG));
  }
  const v = c.reg();
  if (v.n !== d.n || v.w !== d.w) c.fail(`xchg returns in the operand: expected '${d.tok.text}'`, v.tok.col);
  c.expect(')');
  c.end();
  return one(insn(BPF_STX | BPF_ATOMIC | size, base, v.n, off, BPF_XCHG));
}

/** `r1 = 5`, `w1 = -7`, `r1 = 0x1122334455667788 ll` */
function parseConst(c: Cursor, d: Reg): Stmt {
  const { value, col } = c.signed('a value');
  if (c.eat('ll')) {
    if (d.w) c.fail(`a 64-bit load takes an r register, found '${d.tok.text}'`, d.tok.col);
    if (value < INT64_MIN || value > UINT64_MAX) c.fail(`${value} does not fit in 64 bits`, col);
    c.end();
    const u = BigInt.asUintN(64, value);
    return lddw(d.n, 0, Number(BigInt.asIntN(32, u)), Number(BigInt.asIntN(32, u >> 32n)));
  }
  if (value < INT32_MIN || value > UINT32_MAX) c.fail(`${value} does not fit in 32 bits (add 'll' for a 64-bit load)`, col);
  c.end();
  return one(insn((d.w ? BPF_ALU : BPF_ALU64) | BPF_MOV | BPF_K, d.n, 0, 0, Number(BigInt.asIntN(32, value))));
}

const lddw = (dst: number, src: number, imm: number, hi: number): Stmt => ({
  slots: [insn(BPF_LD | BPF_IMM | BPF_DW, dst, src, 0, imm), insn(0, 0, 0, 0, hi)],
});

/** `map[fd:3]`, `map[idx:3][0]+16`, `map[name]`, `map[name][0]+16`, `func[pc+5]`, `func[label]`, `ksym[name]`, each then `ll`. */
function parsePseudoLoad(c: Cursor, d: Reg, t: Token): Stmt {
  if (d.w) c.fail(`a 64-bit load takes an r register, found '${d.tok.text}'`, d.tok.col);
  c.expect('[');
  const raw = c.next('a name');
  if (raw.text === '') c.fail('empty name', raw.col);
  c.expect(']');
  let valueOff: number | undefined;
  if (t.text === 'map' && c.eat('[')) {
    const z = c.peek();
    if (z?.text !== '0') c.fail(`expected '0' (a map value pointer is map[...][0]+OFFSET)`);
    c.i++;
    c.expect(']');
    c.expect('+');
    const { value, col } = c.signed('a value offset');
    if (value < 0n || value > UINT32_MAX) c.fail(`value offset ${value} is not 0..4294967295`, col);
    valueOff = Number(value);
  }
  c.expect('ll');
  c.end();
  if (t.text === 'ksym') return { ...lddw(d.n, BPF_PSEUDO_BTF_ID, 0, 0), reloc: { kind: 'ksym', symbol: raw.text } };
  if (t.text === 'func') {
    const m = /^pc\s*([+-])\s*(0x[0-9a-fA-F]+|\d+)$/.exec(raw.text);
    if (m !== null) {
      const v = BigInt(m[2]) * (m[1] === '-' ? -1n : 1n);
      if (v < INT32_MIN || v > 2n ** 31n - 1n) c.fail(`offset ${v} does not fit in 32 bits`, raw.col);
      return lddw(d.n, BPF_PSEUDO_FUNC, Number(v), 0);
    }
    if (!/^[A-Za-z_.$][\w.$]*$/.test(raw.text)) c.fail(`expected a label or pc+N, found '${raw.text}'`, raw.col);
    return { ...lddw(d.n, BPF_PSEUDO_FUNC, 0, 0), fixup: { kind: 'func', label: raw } };
  }
  const m = /^(fd|idx)\s*:\s*(0x[0-9a-fA-F]+|\d+)$/.exec(raw.text);
  if (m !== null) {
    const n = BigInt(m[2]);
    if (n > UINT32_MAX) c.fail(`${m[1]} ${n} does not fit in 32 bits`, raw.col);
    const imm = Number(BigInt.asIntN(32, n));
    if (valueOff === undefined) return lddw(d.n, m[1] === 'fd' ? BPF_PSEUDO_MAP_FD : BPF_PSEUDO_MAP_IDX, imm, 0);
    return lddw(d.n, m[1] === 'fd' ? BPF_PSEUDO_MAP_VALUE : BPF_PSEUDO_MAP_IDX_VALUE, imm, valueOff | 0);
  }
  if (valueOff === undefined) return { ...lddw(d.n, BPF_PSEUDO_MAP_FD, 0, 0), reloc: { kind: 'map', map: raw.text } };
  return { ...lddw(d.n, BPF_PSEUDO_MAP_VALUE, 0, 0), reloc: { kind: 'map_value', map: raw.text, offset: valueOff } };
}

/** `r2 = *(u32 *)(r1 + 76)`, `r2 = *(s16 *)(r1 - 2)`, `r0 = *(u8 *)skb[12]`, `r0 = *(u16 *)skb[r3 + 4]` */
function parseLoad(c: Cursor, d: Reg): Stmt {
  c.expect('*');
  const { size, signed } = c.sizeCast(true);
  if (c.atText('skb')) {
    c.i++;
    if (signed) c.fail('packet loads are unsigned');
    if (size === BPF_DW) c.fail('packet loads are 8, 16 or 32 bits');
    if (d.n !== 0 || d.w) c.fail(`packet loads return in r0, found '${d.tok.text}'`, d.tok.col);
    c.expect('[');
    let x: Insn;
    if (c.isReg()) {
      const s = c.reg64();
      x = insn(BPF_LD | BPF_IND | size, 0, s.n);
      if (c.atText('+') || c.atText('-')) x.imm = c.imm32('a packet offset');
    } else {
      x = insn(BPF_LD | BPF_ABS | size, 0, 0, 0, c.imm32('a packet offset'));
    }
    c.expect(']');
    c.end();
    return one(x);
  }
  const { base, off } = c.addr();
  c.end();
  if (d.w && (signed || size === BPF_DW)) {
    c.fail(`${signed ? 'a sign-extending' : 'a 64-bit'} load takes an r register, found '${d.tok.text}'`, d.tok.col);
  }
  return one(insn(BPF_LDX | (signed ? BPF_MEMSX : BPF_MEM) | size, d.n, base, off));
}
