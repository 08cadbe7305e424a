// emit.ts: JavaScript text for one instruction, registers as int32 locals l0..l10 (low words) and
// h0..h10 (high words), always kept normalised to int32. `out` is the mask of high words live
// after the instruction (liveness.ts): a dead one is not computed. Semantics mirror the reference
// interpreter (interp/exec.ts) case by case; memory goes through the same regions with the same
// checks, inline on the fast path and through runtime.ts (interp/access.ts) otherwise. Where
// types.ts knows the base register (r10 + K: a compile-time stack slot; the entry r1 + K: a
// guarded direct __sk_buff field), the access is specialised and the generic path stays behind.
import { BPF_ADD, BPF_CMPXCHG, BPF_FETCH, BPF_LOAD_ACQ, BPF_XCHG, MAX_BPF_STACK, opSize, sizeBytes } from '../opcodes.js';
import { OP_MOVSX32_16, OP_MOVSX32_8, OP_MOVSX64_16, OP_MOVSX64_32, OP_MOVSX64_8, type Prepared } from '../interp/prepare.js';
import { isLdAbs, OP_LDDW } from './cfg.js';
import type { Consts } from './consts.js';
import { ctxGuard, ctxLoadExpr, ctxStoreCode, typedCtxGuard } from './ctx-access.js';
import { T_CTX, T_STACK, type RegTypes } from './types.js';

const L = (r: number): string => `l${r}`;
const H = (r: number): string => `h${r}`;

/** Writes r_from..r_to (both halves) into vm.regs; only registers in `used` (compile.ts usedRegs). */
export function syncOut(from: number, to: number, used = ALL_REGS): string {
  let s = '';
  for (let r = from; r <= to; r++) if ((used >> r) & 1) s += `regs[${2 * r}] = l${r}; regs[${2 * r + 1}] = h${r}; `;
  return s;
}

/** Reads r_from..r_to (both halves) back from vm.regs; only registers in `used`. */
export function syncIn(from: number, to: number, used = ALL_REGS): string {
  let s = '';
  for (let r = from; r <= to; r++) if ((used >> r) & 1) s += `l${r} = regs[${2 * r}]; h${r} = regs[${2 * r + 1}]; `;
  return s;
}

/** r0..r10 as a register mask. */
export const ALL_REGS = 0x7ff;

const sizeOf = (op: number): 1 | 2 | 4 | 8 => sizeBytes(opSize(op));

const u = (v: number): string => String(v >>> 0);

/** The condition of a conditional jump as a JS expression. */
export function condition(op: number, d: number, s: number, imm: number): string {
  const j = op & 0xf0;
  const x = (op & 8) !== 0;
  const al = L(d);
  const bl = x ? L(s) : String(imm);
  const blu = x ? `(${L(s)} >>> 0)` : u(imm);
  const alu = `(${al} >>> 0)`;
  if ((op & 7) === 6) {
    switch (j) {
      case 0x10: return `${al} === ${bl}`;
      case 0x50: return `${al} !== ${bl}`;
      case 0x20: return `${alu} > ${blu}`;
      case 0x30: return `${alu} >= ${blu}`;
      case 0xa0: return `${alu} < ${blu}`;
      case 0xb0: return `${alu} <= ${blu}`;
      case 0x60: return `${al} > ${bl}`;
      case 0x70: return `${al} >= ${bl}`;
      case 0xc0: return `${al} < ${bl}`;
      case 0xd0: return `${al} <= ${bl}`;
      case 0x40: return `(${al} & ${bl}) !== 0`;
    }
    throw new Error(`jump op 0x${op.toString(16)}`);
  }
  const ah = H(d);
  const bh = x ? H(s) : String(imm >> 31);
  const ahu = `(${ah} >>> 0)`;
  const bhu = x ? `(${H(s)} >>> 0)` : u(imm >> 31);
  const ucmp = (strict: string, last: string): string => `(${ahu} ${strict} ${bhu} || (${ah} === ${bh} && ${alu} ${last} ${blu}))`;
  const scmp = (strict: string, last: string): string => `(${ah} ${strict} ${bh} || (${ah} === ${bh} && ${alu} ${last} ${blu}))`;
  switch (j) {
    case 0x10: return `(${al} === ${bl} && ${ah} === ${bh})`;
    case 0x50: return `(${al} !== ${bl} || ${ah} !== ${bh})`;
    case 0x20: return ucmp('>', '>');
    case 0x30: return ucmp('>', '>=');
    case 0xa0: return ucmp('<', '<');
    case 0xb0: return ucmp('<', '<=');
    case 0x60: return scmp('>', '>');
    case 0x70: return scmp('>', '>=');
    case 0xc0: return scmp('<', '<');
    case 0xd0: return scmp('<', '<=');
    case 0x40: return x || imm < 0 ? `((${al} & ${bl}) !== 0 || (${ah} & ${bh}) !== 0)` : `(${al} & ${bl}) !== 0`;
  }
  throw new Error(`jump op 0x${op.toString(16)}`);
}

function alu64(op: number, d: number, s: number, imm: number, off: number, hl: boolean, k: readonly [number, number] | null): string {
  // a source register known to hold a constant (consts.ts) is emitted as that literal
  const x = (op & 8) !== 0 && (k === null || (op & 0xf0) === 0xb0 || (op & 0xf0) === 0x60 || (op & 0xf0) === 0x70 || (op & 0xf0) === 0xc0);
  const kl = k !== null && !x ? k[0] : imm;
  const kh = k !== null && !x ? k[1] : imm >> 31;
  const ld = L(d);
  const hd = H(d);
  const bl = x ? L(s) : String(kl);
  const bh = x ? H(s) : String(kh);
  const blu = x ? `(${L(s)} >>> 0)` : u(kl);
  switch (op & 0xf0) {
    case 0x00:
      return hl
        ? `t = (${ld} + ${bl}) | 0; ${hd} = (${hd} + ${bh} + ((t >>> 0) < (${ld} >>> 0) ? 1 : 0)) | 0; ${ld} = t;`
        : `${ld} = (${ld} + ${bl}) | 0;`;
    case 0x10:
      return hl
        ? `${hd} = (${hd} - ${bh} - ((${ld} >>> 0) < ${blu} ? 1 : 0)) | 0; ${ld} = (${ld} - ${bl}) | 0;`
        : `${ld} = (${ld} - ${bl}) | 0;`;
    case 0x20: {
      if (!hl) return `${ld} = Math.imul(${ld}, ${bl});`;
      const cross = !x && kh === 0 ? '' : ` + Math.imul(${ld}, ${bh})`;
      return `t = Math.imul(${ld}, ${bl}); ${hd} = (mulhu(${ld}, ${bl})${cross} + Math.imul(${hd}, ${bl})) | 0; ${ld} = t;`;
    }
    case 0x30:
    case 0x90:
      return `${ld} = div64(${ld}, ${hd}, ${bl}, ${bh}, ${(op & 0xf0) === 0x90}, ${off === 1}); ${hd} = ldHi();`;
    case 0x40:
      return `${ld} |= ${bl};` + (hl ? ` ${hd} |= ${bh};` : '');
    case 0x50:
      return `${ld} &= ${bl};` + (hl ? ` ${hd} &= ${bh};` : '');
    case 0xa0:
      return `${ld} ^= ${bl};` + (hl ? ` ${hd} ^= ${bh};` : '');
    case 0xb0:
      if (x && d === s) return '';
      return `${ld} = ${bl};` + (hl ? ` ${hd} = ${bh};` : '');
    case 0x80:
      return hl ? `t = -${ld} | 0; ${hd} = (~${hd} + (t === 0 ? 1 : 0)) | 0; ${ld} = t;` : `${ld} = -${ld} | 0;`;
    case 0x60: {
      if (x) {
        return hl
          ? `n = ${L(s)} & 63; if (n !== 0) { if (n < 32) { ${hd} = (${hd} << n) | (${ld} >>> (32 - n)); ${ld} = ${ld} << n; } else { ${hd} = ${ld} << (n - 32); ${ld} = 0; } }`
          : `n = ${L(s)} & 63; ${ld} = n < 32 ? ${ld} << n : 0;`;
      }
      const k = imm & 63;
      if (k === 0) return '';
      if (k < 32) return (hl ? `${hd} = (${hd} << ${k}) | (${ld} >>> ${32 - k}); ` : '') + `${ld} = ${ld} << ${k};`;
      return (hl ? `${hd} = ${ld} << ${k - 32}; ` : '') + `${ld} = 0;`;
    }
    case 0x70: {
      if (x) {
        return `n = ${L(s)} & 63; if (n !== 0) { if (n < 32) { ${ld} = (${ld} >>> n) | (${hd} << (32 - n)); ${hl ? `${hd} = (${hd} >>> n) | 0;` : ''} } else { ${ld} = (${hd} >>> (n - 32)) | 0; ${hl ? `${hd} = 0;` : ''} } }`;
      }
      const k = imm & 63;
      if (k === 0) return '';
      if (k < 32) return `${ld} = (${ld} >>> ${k}) | (${hd} << ${32 - k});` + (hl ? ` ${hd} = (${hd} >>> ${k}) | 0;` : '');
      return `${ld} = (${hd} >>> ${k - 32}) | 0;` + (hl ? ` ${hd} = 0;` : '');
    }
    case 0xc0: {
      if (x) {
        return `n = ${L(s)} & 63; if (n !== 0) { if (n < 32) { ${ld} = (${ld} >>> n) | (${hd} << (32 - n)); ${hl ? `${hd} = ${hd} >> n;` : ''} } else { ${ld} = ${hd} >> (n - 32); ${hl ? `${hd} = ${hd} >> 31;` : ''} } }`;
      }
      const k = imm & 63;
      if (k === 0) return '';
      if (k < 32) return `${ld} = (${ld} >>> ${k}) | (${hd} << ${32 - k});` + (hl ? ` ${hd} = ${hd} >> ${k};` : '');
      return `${ld} = ${hd} >> ${k - 32};` + (hl ? ` ${hd} = ${hd} >> 31;` : '');
    }
    case 0xd0: // bswap16/32/64
      return bswap(d, imm, hl);
  }
  throw new Error(`alu64 op 0x${op.toString(16)}`);
}

function bswap(d: number, width: number, hl: boolean): string {
  const ld = L(d);
  const hd = H(d);
  if (width === 64) return hl ? `t = ${ld}; ${ld} = bswap32(${hd}); ${hd} = bswap32(t);` : `${ld} = bswap32(${hd});`;
  return `${ld} = ${width === 16 ? 'bswap16' : 'bswap32'}(${ld});` + (hl ? ` ${hd} = 0;` : '');
}

function alu32(op: number, d: number, s: number, imm: number, off: number, hl: boolean): string {
  const x = (op & 8) !== 0;
  const ld = L(d);
  const b = x ? L(s) : String(imm);
  const zero = hl ? ` ${H(d)} = 0;` : '';
  switch (op & 0xf0) {
    case 0x00: return `${ld} = (${ld} + ${b}) | 0;${zero}`;
    case 0x10: return `${ld} = (${ld} - ${b}) | 0;${zero}`;
    case 0x20: return `${ld} = Math.imul(${ld}, ${b});${zero}`;
    case 0x30:
    case 0x90:
      return `${ld} = div32(${ld}, ${b}, ${(op & 0xf0) === 0x90}, ${off === 1});${zero}`;
    case 0x40: return `${ld} |= ${b};${zero}`;
    case 0x50: return `${ld} &= ${b};${zero}`;
    case 0xa0: return `${ld} ^= ${b};${zero}`;
    case 0x60: return `${ld} <<= ${b};${zero}`;
    case 0x70: return `${ld} = (${ld} >>> ${b}) | 0;${zero}`;
    case 0xc0: return `${ld} >>= ${b};${zero}`;
    case 0x80: return `${ld} = -${ld} | 0;${zero}`;
    case 0xb0: return `${ld} = ${b};${zero}`;
    case 0xd0:
      if (op === 0xd4) {
        // to little endian: a host-order no-op but for the truncation
        if (imm === 64) return '';
        return (imm === 16 ? `${ld} &= 0xffff;` : '') + zero;
      }
      return bswap(d, imm, hl);
  }
  throw new Error(`alu32 op 0x${op.toString(16)}`);
}

function getter(size: number, signed: boolean): string {
  if (size === 4) return 'getInt32';
  if (size === 2) return signed ? 'getInt16' : 'getUint16';
  return signed ? 'getInt8' : 'getUint8';
}

/**
 * The element check of memory.ts checkAccess for map value slabs (stride != 0): the access stays
 * inside one value. Plain regions (packet, stack, test memory) pass on the first comparison.
 */
function inElem(size: number): string {
  return `(R.stride === 0 || (o % R.stride) + ${size} <= R.elemSize)`;
}

/** What types.ts knows of an access's base register: its kind and K. */
interface Base {
  readonly kind: number;
  readonly k: number;
}

const NO_BASE: Base = { kind: 0, k: 0 };

/**
 * Slots through r10 + K (r10 itself, or a register types.ts proves equal to r10 + K) that are
 * inside the frame's 512 bytes are checked here, at compile time.
 */
function stackSlot(reg: number, b: Base, off: number, size: number): number {
  let a: number;
  if (reg === 10) a = MAX_BPF_STACK + off;
  else if (b.kind === T_STACK) a = MAX_BPF_STACK + b.k + off;
  else return -1;
  return a >= 0 && a + size <= MAX_BPF_STACK ? a : -1;
}

function load(op: number, d: number, s: number, off: number, pc: number, hl: boolean, b: Base): string {
  const size = sizeOf(op);
  const signed = (op & 0xe0) === 0x80;
  const ld = L(d);
  const hd = H(d);
  const slot = stackSlot(s, b, off, size);
  const little = size === 1 ? '' : ', true';
  if (size === 8) {
    if (slot >= 0) return (hl ? `${hd} = SV.getInt32(${slot + 4}, true); ` : '') + `${ld} = SV.getInt32(${slot}, true);`;
    return (
      `o = (${L(s)} + ${off}) | 0; R = rg[${H(s)}]; ` +
      `if (R !== undefined && o >= 0 && o <= R.size - 8 && ${inElem(8)} && R.ctx === null) { V = R.view; ${hl ? `${hd} = V.getInt32(o + 4, true); ` : ''}${ld} = V.getInt32(o, true); } ` +
      `else { ${ld} = ld(rg, ${H(s)}, o, 8, false, ${pc}); ${hd} = ldHi(); }`
    );
  }
  const hi = hl ? (signed ? ` ${hd} = ${ld} >> 31;` : ` ${hd} = 0;`) : '';
  const get = getter(size, signed);
  if (slot >= 0) return `${ld} = SV.${get}(${slot}${little});${hi}`;
  if (b.kind === T_CTX) {
    // the entry r1 + K: a context access (guarded by typedCtxGuard), never a plain region
    const at = b.k + off;
    const f = size === 4 && !signed ? ctxLoadExpr(at) : null;
    const slow = `${ld} = ld(rg, ${H(s)}, (${L(s)} + ${off}) | 0, ${size}, ${signed}, ${pc});${hl ? ` ${hd} = ldHi();` : ''}`;
    if (f === null) return slow;
    return `if (${typedCtxGuard(H(s))}) { C = CC; X = C.skb; ${ld} = ${f.lo};${hl ? ` ${hd} = ${f.hi};` : ''} } else { ${slow} }`;
  }
  const fast = size === 4 && !signed ? ctxLoadExpr(off) : null;
  const ctx = fast === null ? '' : `else if (${ctxGuard(off)}) { X = C.skb; ${ld} = ${fast.lo};${hl ? ` ${hd} = ${fast.hi};` : ''} } `;
  // a context handler may answer a 4-byte load with a pointer (skb->data): the high word is its
  return (
    `o = (${L(s)} + ${off}) | 0; R = rg[${H(s)}]; ` +
    `if (R !== undefined && o >= 0 && o <= R.size - ${size} && ${inElem(size)} && R.ctx === null) { ${ld} = R.view.${get}(o${little});${hi} } ` +
    ctx +
    `else { ${ld} = ld(rg, ${H(s)}, o, ${size}, ${signed}, ${pc});${hl ? ` ${hd} = ldHi();` : ''} }`
  );
}

/** `fromImm`: a BPF_ST (immediate) store, which context handlers treat differently for some fields. */
function store(d: number, size: number, off: number, vl: string, vh: string, pc: number, fromImm: boolean, b: Base): string {
  const slot = stackSlot(d, b, off, size);
  const set = size === 4 || size === 8 ? 'setInt32' : size === 2 ? 'setInt16' : 'setInt8';
  const little = size === 1 ? '' : ', true';
  if (slot >= 0) {
    return size === 8
      ? `SV.setInt32(${slot}, ${vl}, true); SV.setInt32(${slot + 4}, ${vh}, true);`
      : `SV.${set}(${slot}, ${vl}${little});`;
  }
  if (b.kind === T_CTX) {
    const f = size === 4 ? ctxStoreCode(b.k + off, vl) : null;
    const slow = `st(rg, ${H(d)}, (${L(d)} + ${off}) | 0, ${size}, ${vl}, ${vh}, ${pc}, ${fromImm});`;
    if (f === null) return slow;
    return `if (${typedCtxGuard(H(d))}) { X = CC.skb; ${f} } else ${slow}`;
  }
  const body = size === 8 ? `{ V = R.view; V.setInt32(o, ${vl}, true); V.setInt32(o + 4, ${vh}, true); }` : `R.view.${set}(o, ${vl}${little});`;
  const fast = size === 4 ? ctxStoreCode(off, vl) : null;
  const ctx = fast === null ? '' : `else if (${ctxGuard(off)}) { X = C.skb; ${fast} } `;
  return (
    `o = (${L(d)} + ${off}) | 0; R = rg[${H(d)}]; ` +
    `if (R !== undefined && o >= 0 && o <= R.size - ${size} && R.writable && ${inElem(size)} && R.ctx === null) ${body} ` +
    ctx +
    `else st(rg, ${H(d)}, o, ${size}, ${vl}, ${vh}, ${pc}, ${fromImm});`
  );
}

function atomicOp(w: number, d: number, s: number, imm: number, pc: number): string {
  const slow = atomicSlow(w, d, s, imm, pc);
  const add = imm === BPF_ADD; // without BPF_FETCH
  if (!add || d === s) return slow;
  // `lock *(u32|u64 *)(dst + off) += src` (counters in map values): inline when the plain check
  // of memory.ts checkAccess passes, slab elements included; anything else takes the slow path
  const size = (w & 0x18) === 0x18 ? 8 : 4;
  const off = w >> 16;
  const hiUpdate =
    size === 8
      ? `V.setInt32(o + 4, (V.getInt32(o + 4, true) + ${H(s)} + ((n >>> 0) < (t >>> 0) ? 1 : 0)) | 0, true); `
      : '';
  return (
    `o = (${L(d)} + ${off}) | 0; R = rg[${H(d)}]; ` +
    `if (R !== undefined && o >= 0 && o <= R.size - ${size} && R.writable && R.ctx === null && ${inElem(size)}) ` +
    `{ V = R.view; t = V.getInt32(o, true); n = (t + ${L(s)}) | 0; ${hiUpdate}V.setInt32(o, n, true); } ` +
    `else { ${slow} }`
  );
}

function atomicSlow(w: number, d: number, s: number, imm: number, pc: number): string {
  let back = '';
  if (imm === BPF_LOAD_ACQ || imm === BPF_XCHG || (imm !== BPF_CMPXCHG && (imm & BPF_FETCH) !== 0)) back += syncIn(s, s);
  if (imm === BPF_CMPXCHG) back += syncIn(0, 0);
  return (
    `regs[${2 * d}] = ${L(d)}; regs[${2 * d + 1}] = ${H(d)}; regs[${2 * s}] = ${L(s)}; regs[${2 * s + 1}] = ${H(s)}; regs[0] = l0; regs[1] = h0; ` +
    `atomic(rg, regs, ${w}, ${imm}, ${pc}); ${back}`
  );
}

/**
 * Code for a straight-line instruction (ALU, loads, stores, atomics, lddw, movsx). Jumps, calls,
 * exits and LD_ABS are the compiler's (compile.ts), since they end a block.
 */
export function emitInsn(p: Prepared, pc: number, out: number, cst: Consts, types: RegTypes): string {
  const w = p.code[2 * pc];
  const imm = p.code[2 * pc + 1];
  const op = w & 0xff;
  const d = (w >> 8) & 0xf;
  const s = (w >> 12) & 0xf;
  const off = w >> 16;
  const hl = ((out >> d) & 1) !== 0;
  const base = (r: number): Base => (r > 10 ? NO_BASE : { kind: types.kind[pc * 11 + r], k: types.off[pc * 11 + r] });
  switch (op & 7) {
    case 7: {
      const known = (op & 8) !== 0 && cst.known[pc * 11 + s] === 1;
      const k: [number, number] | null = known ? [cst.value[pc * 22 + 2 * s], cst.value[pc * 22 + 2 * s + 1]] : null;
      return alu64(op, d, s, imm, off, hl, k);
    }
    case 4:
      return alu32(op, d, s, imm, off, hl);
    case 1:
      return load(op, d, s, off, pc, hl, base(s));
    case 2:
      return store(d, sizeOf(op), off, String(imm), String(imm >> 31), pc, true, base(d));
    case 3:
      if ((op & 0xe0) === 0x60) return store(d, sizeOf(op), off, L(s), sizeOf(op) === 8 ? H(s) : '0', pc, false, base(d));
      return atomicOp(w, d, s, imm, pc);
  }
  const ld = L(d);
  const hd = H(d);
  switch (op) {
    case OP_LDDW:
      return `${ld} = ${imm};` + (hl ? ` ${hd} = ${p.code[2 * pc + 3]};` : '');
    case OP_MOVSX64_8:
      return `${ld} = (${L(s)} << 24) >> 24;` + (hl ? ` ${hd} = ${ld} >> 31;` : '');
    case OP_MOVSX64_16:
      return `${ld} = (${L(s)} << 16) >> 16;` + (hl ? ` ${hd} = ${ld} >> 31;` : '');
    case OP_MOVSX64_32:
      return `${ld} = ${L(s)};` + (hl ? ` ${hd} = ${ld} >> 31;` : '');
    case OP_MOVSX32_8:
      return `${ld} = (${L(s)} << 24) >> 24;` + (hl ? ` ${hd} = 0;` : '');
    case OP_MOVSX32_16:
      return `${ld} = (${L(s)} << 16) >> 16;` + (hl ? ` ${hd} = 0;` : '');
  }
  if (isLdAbs(op)) throw new Error('LD_ABS is emitted by the compiler');
  throw new Error(`no code for opcode 0x${op.toString(16)} at insn ${pc}`);
}

/** LD_ABS/LD_IND: r0 = the big-endian value; r1..r5 cleared; out of bounds ends the run with r0 = 0. */
export function emitLdAbs(p: Prepared, pc: number): string {
  const w = p.code[2 * pc];
  const imm = p.code[2 * pc + 1];
  const op = w & 0xff;
  const s = (w >> 12) & 0xf;
  const size = sizeOf(op);
  const offExpr = (op & 0xe0) === 0x40 ? `(${imm} + ${L(s)}) | 0` : String(imm);
  let clear = '';
  for (let r = 1; r <= 5; r++) clear += `l${r} = 0; h${r} = 0; `;
  return `t = ldabs(vm, ${size}, ${offExpr}, ${pc}); ${clear}if (t < 0) { l0 = 0; h0 = 0; bpc = -1; break epi; } l0 = t | 0; h0 = 0;`;
}
