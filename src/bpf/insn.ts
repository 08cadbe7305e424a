// insn.ts: the 8-byte eBPF instruction as a value, and decode/encode between bytes and values.
// A program is an array of Insn slots; `lddw` takes two slots (the second has code 0 and
// carries the high 32 bits of the immediate in its imm), exactly as in the ELF and the kernel.
import { SimError } from '../errors.js';
import { isLddw } from './opcodes.js';

export interface Insn {
  /** opcode byte */
  code: number;
  /** destination register 0..15 (low nibble of byte 1) */
  dst: number;
  /** source register 0..15 (high nibble of byte 1) */
  src: number;
  /** signed 16-bit offset */
  off: number;
  /** signed 32-bit immediate */
  imm: number;
}

export const INSN_SIZE = 8;

export function insn(code: number, dst = 0, src = 0, off = 0, imm = 0): Insn {
  return { code, dst, src, off, imm };
}

/** Decodes little-endian instruction bytes. `where` names the source for errors (file/section). */
export function decodeInsns(bytes: Uint8Array, where = 'program'): Insn[] {
  if (bytes.length % INSN_SIZE !== 0) {
    throw new SimError(
      'EFORMAT',
      `${where}: ${bytes.length} bytes is not a whole number of 8-byte instructions`,
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Insn[] = new Array(bytes.length / INSN_SIZE);
  for (let i = 0; i < out.length; i++) {
    const o = i * INSN_SIZE;
    const regs = dv.getUint8(o + 1);
    out[i] = {
      code: dv.getUint8(o),
      dst: regs & 0x0f,
      src: regs >>> 4,
      off: dv.getInt16(o + 2, true),
      imm: dv.getInt32(o + 4, true),
    };
  }
  for (let i = 0; i < out.length; i++) {
    if (isLddw(out[i].code)) {
      if (i + 1 >= out.length) {
        throw new SimError('EFORMAT', `${where}: insn ${i}: lddw is missing its second slot`);
      }
      i++;
    }
  }
  return out;
}

export function encodeInsns(insns: readonly Insn[]): Uint8Array {
  const bytes = new Uint8Array(insns.length * INSN_SIZE);
  const dv = new DataView(bytes.buffer);
  insns.forEach((x, i) => {
    const o = i * INSN_SIZE;
    dv.setUint8(o, x.code);
    dv.setUint8(o + 1, ((x.src & 0x0f) << 4) | (x.dst & 0x0f));
    dv.setInt16(o + 2, x.off, true);
    dv.setInt32(o + 4, x.imm, true);
  });
  return bytes;
}

export function decodeHex(hex: string, where = 'program'): Insn[] {
  const clean = hex.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) {
    throw new SimError('EFORMAT', `${where}: not a hex string`);
  }
  return decodeInsns(Uint8Array.from(Buffer.from(clean, 'hex')), where);
}

/** The 64-bit immediate of an `lddw` pair as a BigInt (unsigned). */
export function lddwImm(lo: Insn, hi: Insn): bigint {
  return (BigInt(hi.imm >>> 0) << 32n) | BigInt(lo.imm >>> 0);
}
