// access.ts: the slow paths of loads, stores and atomics. The interpreter inlines the common case
// (a plain in-bounds region); everything else — context handlers, map value slabs, faults — lands
// here, with the full check of memory.ts `checkAccess` naming region, offset and size.
import { BpfFault } from '../fault.js';
import { checkAccess, formatPointer, type Region } from '../memory.js';
import * as op from '../opcodes.js';

/** The region behind a pointer's high word, or a NULL-dereference fault. */
function regionOf(regions: readonly Region[], hi: number, lo: number, pc: number): Region {
  const r = hi >= 0 ? regions[hi] : undefined;
  if (r === undefined) {
    throw new BpfFault('null_dereference', pc, `pointer ${formatPointer(hi, lo)} is not in any region`);
  }
  return r;
}

/** regs[d..d+1] = the `size`-byte value at (hi, off); `signed` sign-extends (LDSX). */
export function loadSlow(
  regions: readonly Region[],
  regs: Int32Array,
  hi: number,
  off: number,
  size: number,
  signed: boolean,
  d: number,
  pc: number,
): void {
  const r = regionOf(regions, hi, off, pc);
  if (r.ctx !== null && r.invalid === null) {
    r.ctx.load(off >>> 0, size, regs, d >> 1, pc, signed);
    if (signed && size < 8) {
      const sh = 32 - 8 * size;
      const lo = (regs[d] << sh) >> sh;
      regs[d] = lo;
      regs[d + 1] = lo >> 31;
    }
    return;
  }
  checkAccess(r, off >>> 0, size, false, pc);
  readInto(r.view, off, size, signed, regs, d);
}

function readInto(v: DataView, o: number, size: number, signed: boolean, regs: Int32Array, d: number): void {
  let lo: number;
  let hi = 0;
  switch (size) {
    case 1:
      lo = signed ? v.getInt8(o) : v.getUint8(o);
      break;
    case 2:
      lo = signed ? v.getInt16(o, true) : v.getUint16(o, true);
      break;
    case 4:
      lo = v.getInt32(o, true);
      break;
    default:
      lo = v.getInt32(o, true);
      hi = v.getInt32(o + 4, true);
      regs[d] = lo;
      regs[d + 1] = hi;
      return;
  }
  regs[d] = lo;
  regs[d + 1] = signed ? lo >> 31 : 0;
}

function writeAt(v: DataView, o: number, size: number, lo: number, hi: number): void {
  switch (size) {
    case 1:
      v.setInt8(o, lo);
      break;
    case 2:
      v.setInt16(o, lo, true);
      break;
    case 4:
      v.setInt32(o, lo, true);
      break;
    default:
      v.setInt32(o, lo, true);
      v.setInt32(o + 4, hi, true);
  }
}

/** Stores the low `size` bytes of (lo, hi) at (hi, off). */
export function storeSlow(
  regions: readonly Region[],
  ptrHi: number,
  off: number,
  size: number,
  lo: number,
  hi: number,
  pc: number,
  /** BPF_ST (immediate) rather than BPF_STX: the kernel rewrites some ctx stores differently. */
  fromImm = false,
): void {
  const r = regionOf(regions, ptrHi, off, pc);
  if (r.ctx !== null && r.invalid === null) {
    r.ctx.store(off >>> 0, size, lo, hi, pc, fromImm);
    return;
  }
  checkAccess(r, off >>> 0, size, true, pc);
  writeAt(r.view, off, size, lo, hi);
}

/**
 * BPF_STX|BPF_ATOMIC: `*(size *)(dst + off) op= src` per the imm; fetch forms put the old value
 * in src, cmpxchg compares with and returns in r0 (kernel/bpf/core.c ___bpf_prog_run ATOMIC);
 * load-acquire is `dst = *(size *)(src + off)`, store-release `*(size *)(dst + off) = src`.
 * The 32-bit forms zero-extend what they write to a register.
 */
export function atomic(regions: readonly Region[], regs: Int32Array, w: number, imm: number, pc: number): void {
  const d = (w >> 7) & 0x1e;
  const s = (w >> 11) & 0x1e;
  const sz = (w >> 3) & 3; // BPF_W, BPF_H, BPF_B, BPF_DW
  const size = sz === 0 ? 4 : sz === 1 ? 2 : sz === 2 ? 1 : 8;
  // load-acquire is the one form that addresses through src and writes dst
  const base = imm === op.BPF_LOAD_ACQ ? s : d;
  const off = (regs[base] + (w >> 16)) | 0;
  const r = regionOf(regions, regs[base + 1], off, pc);
  if (r.ctx !== null) {
    throw new BpfFault('ctx_access', pc, 'atomic operation on the context', r.name, off >>> 0, size);
  }
  if (imm === op.BPF_LOAD_ACQ) {
    checkAccess(r, off >>> 0, size, false, pc);
    readInto(r.view, off, size, false, regs, d);
    return;
  }
  checkAccess(r, off >>> 0, size, true, pc);
  const v = r.view;
  if (imm === op.BPF_STORE_REL) {
    writeAt(v, off, size, regs[s], regs[s + 1]);
    return;
  }
  const ol = v.getInt32(off, true);
  const oh = size === 8 ? v.getInt32(off + 4, true) : 0;
  const sl = regs[s];
  const sh = size === 8 ? regs[s + 1] : 0;
  let nl: number;
  let nh: number;
  switch (imm & ~op.BPF_FETCH) {
    case op.BPF_ADD: {
      nl = (ol + sl) | 0;
      nh = (oh + sh + ((nl >>> 0) < (ol >>> 0) ? 1 : 0)) | 0;
      break;
    }
    case op.BPF_OR:
      nl = ol | sl;
      nh = oh | sh;
      break;
    case op.BPF_AND:
      nl = ol & sl;
      nh = oh & sh;
      break;
    case op.BPF_XOR:
      nl = ol ^ sl;
      nh = oh ^ sh;
      break;
    case op.BPF_XCHG & ~op.BPF_FETCH:
      nl = sl;
      nh = sh;
      break;
    default: {
      // BPF_CMPXCHG: compare with r0 (its low 32 bits for the 32-bit form)
      const eq = size === 8 ? regs[0] === ol && regs[1] === oh : regs[0] === ol;
      if (eq) writeAt(v, off, size, sl, sh);
      regs[0] = ol;
      regs[1] = oh;
      return;
    }
  }
  writeAt(v, off, size, nl, nh);
  if (imm & op.BPF_FETCH) {
    regs[s] = ol;
    regs[s + 1] = oh;
  }
}
