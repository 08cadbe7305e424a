// exec.ts: the interpreter loop. One function, one switch on the packed opcode byte, registers as
// int32 halves in Vm.regs (regs[2*i] = low word of r_i, regs[2*i+1] = high word); no allocation
// or BigInt per instruction. It returns when the frame it was entered at exits (r0 in regs[0..1]);
// faults are thrown as BpfFault, annotated here with the pc and instruction text.
import { BpfFault } from '../fault.js';
import { TAG_FUNC } from '../memory.js';
import type { Executable, Vm } from '../vm.js';
import { atomic, loadSlow, storeSlow } from './access.js';
import { bswap16, bswap32, divmod32, divmod64, mul64 } from './arith.js';
import { checkCallxTarget, fellOffEnd, packetLoad, pushFrame } from './calls.js';
import { describeInsn } from './describe.js';
import {
  OP_CALL_LOCAL,
  OP_FAULT,
  OP_FELL_OFF,
  OP_MOVSX32_16,
  OP_MOVSX32_8,
  OP_MOVSX64_16,
  OP_MOVSX64_32,
  OP_MOVSX64_8,
  preparedOf,
} from './prepare.js';

/** Saved registers per call frame: r6..r10 as 10 int32 halves. */
export const FRAME_SAVE = 10;
const R6 = 12;

/**
 * Runs `exe` from `startPc` in call frame `baseDepth` (its r10 already set by the caller) until
 * that frame exits. Counts instructions into vm.insnCount against vm.insnLimit.
 */
export function execute(vm: Vm, startExe: Executable, startPc: number, baseDepth: number): void {
  const regs = vm.regs;
  const regions = vm.memory.regions;
  const helpers = vm.helpers;
  const limit = vm.insnLimit;
  let exe = startExe;
  let prep = preparedOf(exe);
  let code = prep.code;
  let pc = startPc;
  let depth = baseDepth;
  let count = vm.insnCount;
  vm.current = exe;
  vm.depth = depth;
  try {
    for (;;) {
      if (++count > limit) {
        count--;
        throw new BpfFault('insn_limit', pc, `instruction budget of ${limit} exhausted (runaway loop?)`);
      }
      const i = pc << 1;
      const w = code[i];
      switch (w & 0xff) {
        // ---- ALU64 ----
        case 0x07: { // dst += imm
          const d = (w >> 7) & 0x1e;
          const b = code[i + 1];
          const a = regs[d];
          const l = (a + b) | 0;
          regs[d + 1] = (regs[d + 1] + (b >> 31) + (l >>> 0 < a >>> 0 ? 1 : 0)) | 0;
          regs[d] = l;
          pc++;
          break;
        }
        case 0x0f: { // dst += src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          const b = regs[s];
          const bh = regs[s + 1];
          const a = regs[d];
          const l = (a + b) | 0;
          regs[d + 1] = (regs[d + 1] + bh + (l >>> 0 < a >>> 0 ? 1 : 0)) | 0;
          regs[d] = l;
          pc++;
          break;
        }
        case 0x17: { // dst -= imm
          const d = (w >> 7) & 0x1e;
          const b = code[i + 1];
          const a = regs[d];
          regs[d + 1] = (regs[d + 1] - (b >> 31) - (a >>> 0 < b >>> 0 ? 1 : 0)) | 0;
          regs[d] = (a - b) | 0;
          pc++;
          break;
        }
        case 0x1f: { // dst -= src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          const b = regs[s];
          const bh = regs[s + 1];
          const a = regs[d];
          regs[d + 1] = (regs[d + 1] - bh - (a >>> 0 < b >>> 0 ? 1 : 0)) | 0;
          regs[d] = (a - b) | 0;
          pc++;
          break;
        }
        case 0x27: { // dst *= imm
          const b = code[i + 1];
          mul64(regs, (w >> 7) & 0x1e, b, b >> 31);
          pc++;
          break;
        }
        case 0x2f: { // dst *= src
          const s = (w >> 11) & 0x1e;
          mul64(regs, (w >> 7) & 0x1e, regs[s], regs[s + 1]);
          pc++;
          break;
        }
        case 0x37: // dst /= imm (off 1: signed)
        case 0x97: { // dst %= imm
          const b = code[i + 1];
          divmod64(regs, (w >> 7) & 0x1e, b, b >> 31, (w & 0xf0) === 0x90, w >> 16 === 1);
          pc++;
          break;
        }
        case 0x3f: // dst /= src
        case 0x9f: { // dst %= src
          const s = (w >> 11) & 0x1e;
          divmod64(regs, (w >> 7) & 0x1e, regs[s], regs[s + 1], (w & 0xf0) === 0x90, w >> 16 === 1);
          pc++;
          break;
        }
        case 0x47: { // dst |= imm
          const d = (w >> 7) & 0x1e;
          const b = code[i + 1];
          regs[d] |= b;
          regs[d + 1] |= b >> 31;
          pc++;
          break;
        }
        case 0x4f: { // dst |= src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          regs[d] |= regs[s];
          regs[d + 1] |= regs[s + 1];
          pc++;
          break;
        }
        case 0x57: { // dst &= imm
          const d = (w >> 7) & 0x1e;
          const b = code[i + 1];
          regs[d] &= b;
          regs[d + 1] &= b >> 31;
          pc++;
          break;
        }
        case 0x5f: { // dst &= src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          regs[d] &= regs[s];
          regs[d + 1] &= regs[s + 1];
          pc++;
          break;
        }
        case 0xa7: { // dst ^= imm
          const d = (w >> 7) & 0x1e;
          const b = code[i + 1];
          regs[d] ^= b;
          regs[d + 1] ^= b >> 31;
          pc++;
          break;
        }
        case 0xaf: { // dst ^= src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          regs[d] ^= regs[s];
          regs[d + 1] ^= regs[s + 1];
          pc++;
          break;
        }
        case 0x67: // dst <<= imm
        case 0x6f: { // dst <<= src (amount masked to 63, RFC 9669)
          const d = (w >> 7) & 0x1e;
          const n = ((w & 0x08) === 0 ? code[i + 1] : regs[(w >> 11) & 0x1e]) & 63;
          if (n !== 0) {
            const a = regs[d];
            if (n < 32) {
              regs[d + 1] = (regs[d + 1] << n) | (a >>> (32 - n));
              regs[d] = a << n;
            } else {
              regs[d + 1] = a << (n - 32);
              regs[d] = 0;
            }
          }
          pc++;
          break;
        }
        case 0x77: // dst >>= imm
        case 0x7f: { // dst >>= src
          const d = (w >> 7) & 0x1e;
          const n = ((w & 0x08) === 0 ? code[i + 1] : regs[(w >> 11) & 0x1e]) & 63;
          if (n !== 0) {
            const h = regs[d + 1];
            if (n < 32) {
              regs[d] = (regs[d] >>> n) | (h << (32 - n));
              regs[d + 1] = h >>> n;
            } else {
              regs[d] = h >>> (n - 32);
              regs[d + 1] = 0;
            }
          }
          pc++;
          break;
        }
        case 0xc7: // dst s>>= imm
        case 0xcf: { // dst s>>= src
          const d = (w >> 7) & 0x1e;
          const n = ((w & 0x08) === 0 ? code[i + 1] : regs[(w >> 11) & 0x1e]) & 63;
          if (n !== 0) {
            const h = regs[d + 1];
            if (n < 32) {
              regs[d] = (regs[d] >>> n) | (h << (32 - n));
              regs[d + 1] = h >> n;
            } else {
              regs[d] = h >> (n - 32);
              regs[d + 1] = h >> 31;
            }
          }
          pc++;
          break;
        }
        case 0x87: { // dst = -dst
          const d = (w >> 7) & 0x1e;
          const l = -regs[d] | 0;
          regs[d + 1] = (~regs[d + 1] + (l === 0 ? 1 : 0)) | 0;
          regs[d] = l;
          pc++;
          break;
        }
        case 0xb7: { // dst = imm
          const d = (w >> 7) & 0x1e;
          const b = code[i + 1];
          regs[d] = b;
          regs[d + 1] = b >> 31;
          pc++;
          break;
        }
        case 0xbf: { // dst = src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          regs[d] = regs[s];
          regs[d + 1] = regs[s + 1];
          pc++;
          break;
        }
        case OP_MOVSX64_8: { // dst = (s8) src
          const d = (w >> 7) & 0x1e;
          const l = (regs[(w >> 11) & 0x1e] << 24) >> 24;
          regs[d] = l;
          regs[d + 1] = l >> 31;
          pc++;
          break;
        }
        case OP_MOVSX64_16: { // dst = (s16) src
          const d = (w >> 7) & 0x1e;
          const l = (regs[(w >> 11) & 0x1e] << 16) >> 16;
          regs[d] = l;
          regs[d + 1] = l >> 31;
          pc++;
          break;
        }
        case OP_MOVSX64_32: { // dst = (s32) src
          const d = (w >> 7) & 0x1e;
          const l = regs[(w >> 11) & 0x1e];
          regs[d] = l;
          regs[d + 1] = l >> 31;
          pc++;
          break;
        }
        case 0xd7: { // dst = bswap16/32/64 dst
          const d = (w >> 7) & 0x1e;
          const b = code[i + 1];
          if (b === 64) {
            const l = regs[d];
            regs[d] = bswap32(regs[d + 1]);
            regs[d + 1] = bswap32(l);
          } else {
            regs[d] = b === 16 ? bswap16(regs[d]) : bswap32(regs[d]);
            regs[d + 1] = 0;
          }
          pc++;
          break;
        }

        // ---- ALU (32-bit; every result zero-extends) ----
        case 0x04: { // w dst += imm
          const d = (w >> 7) & 0x1e;
          regs[d] = (regs[d] + code[i + 1]) | 0;
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0x0c: { // w dst += w src
          const d = (w >> 7) & 0x1e;
          regs[d] = (regs[d] + regs[(w >> 11) & 0x1e]) | 0;
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0x14: { // w dst -= imm
          const d = (w >> 7) & 0x1e;
          regs[d] = (regs[d] - code[i + 1]) | 0;
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0x1c: { // w dst -= w src
          const d = (w >> 7) & 0x1e;
          regs[d] = (regs[d] - regs[(w >> 11) & 0x1e]) | 0;
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0x24: { // w dst *= imm
          const d = (w >> 7) & 0x1e;
          regs[d] = Math.imul(regs[d], code[i + 1]);
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0x2c: { // w dst *= w src
          const d = (w >> 7) & 0x1e;
          regs[d] = Math.imul(regs[d], regs[(w >> 11) & 0x1e]);
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0x34: // w dst /= imm
        case 0x94: // w dst %= imm
          divmod32(regs, (w >> 7) & 0x1e, code[i + 1], (w & 0xf0) === 0x90, w >> 16 === 1);
          pc++;
          break;
        case 0x3c: // w dst /= w src
        case 0x9c: // w dst %= w src
          divmod32(regs, (w >> 7) & 0x1e, regs[(w >> 11) & 0x1e], (w & 0xf0) === 0x90, w >> 16 === 1);
          pc++;
          break;
        case 0x44: { // w dst |= imm
          const d = (w >> 7) & 0x1e;
          regs[d] |= code[i + 1];
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0x4c: { // w dst |= w src
          const d = (w >> 7) & 0x1e;
          regs[d] |= regs[(w >> 11) & 0x1e];
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0x54: { // w dst &= imm
          const d = (w >> 7) & 0x1e;
          regs[d] &= code[i + 1];
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0x5c: { // w dst &= w src
          const d = (w >> 7) & 0x1e;
          regs[d] &= regs[(w >> 11) & 0x1e];
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0xa4: { // w dst ^= imm
          const d = (w >> 7) & 0x1e;
          regs[d] ^= code[i + 1];
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0xac: { // w dst ^= w src
          const d = (w >> 7) & 0x1e;
          regs[d] ^= regs[(w >> 11) & 0x1e];
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0x64: { // w dst <<= imm (JS masks shift counts to 31, as RFC 9669 asks)
          const d = (w >> 7) & 0x1e;
          regs[d] <<= code[i + 1];
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0x6c: { // w dst <<= w src
          const d = (w >> 7) & 0x1e;
          regs[d] <<= regs[(w >> 11) & 0x1e];
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0x74: { // w dst >>= imm
          const d = (w >> 7) & 0x1e;
          regs[d] = regs[d] >>> code[i + 1];
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0x7c: { // w dst >>= w src
          const d = (w >> 7) & 0x1e;
          regs[d] = regs[d] >>> regs[(w >> 11) & 0x1e];
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0xc4: { // w dst s>>= imm
          const d = (w >> 7) & 0x1e;
          regs[d] >>= code[i + 1];
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0xcc: { // w dst s>>= w src
          const d = (w >> 7) & 0x1e;
          regs[d] >>= regs[(w >> 11) & 0x1e];
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0x84: { // w dst = -w dst
          const d = (w >> 7) & 0x1e;
          regs[d] = -regs[d] | 0;
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0xb4: { // w dst = imm
          const d = (w >> 7) & 0x1e;
          regs[d] = code[i + 1];
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0xbc: { // w dst = w src
          const d = (w >> 7) & 0x1e;
          regs[d] = regs[(w >> 11) & 0x1e];
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case OP_MOVSX32_8: { // w dst = (s8) w src
          const d = (w >> 7) & 0x1e;
          regs[d] = (regs[(w >> 11) & 0x1e] << 24) >> 24;
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case OP_MOVSX32_16: { // w dst = (s16) w src
          const d = (w >> 7) & 0x1e;
          regs[d] = (regs[(w >> 11) & 0x1e] << 16) >> 16;
          regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0xd4: { // dst = le16/le32/le64 dst (a host-order no-op but for truncation)
          const d = (w >> 7) & 0x1e;
          const b = code[i + 1];
          if (b === 16) regs[d] &= 0xffff;
          if (b !== 64) regs[d + 1] = 0;
          pc++;
          break;
        }
        case 0xdc: { // dst = be16/be32/be64 dst
          const d = (w >> 7) & 0x1e;
          const b = code[i + 1];
          if (b === 64) {
            const l = regs[d];
            regs[d] = bswap32(regs[d + 1]);
            regs[d + 1] = bswap32(l);
          } else {
            regs[d] = b === 16 ? bswap16(regs[d]) : bswap32(regs[d]);
            regs[d + 1] = 0;
          }
          pc++;
          break;
        }

        // ---- loads: dst = *(size *)(src + off) ----
        case 0x61: { // u32
          const s = (w >> 11) & 0x1e;
          const r = regions[regs[s + 1]];
          const o = (regs[s] + (w >> 16)) | 0;
          const d = (w >> 7) & 0x1e;
          if (r !== undefined && o >= 0 && o <= r.size - 4 && r.stride === 0 && r.ctx === null) {
            regs[d] = r.view.getInt32(o, true);
            regs[d + 1] = 0;
          } else loadSlow(regions, regs, regs[s + 1], o, 4, false, d, pc);
          pc++;
          break;
        }
        case 0x69: { // u16
          const s = (w >> 11) & 0x1e;
          const r = regions[regs[s + 1]];
          const o = (regs[s] + (w >> 16)) | 0;
          const d = (w >> 7) & 0x1e;
          if (r !== undefined && o >= 0 && o <= r.size - 2 && r.stride === 0 && r.ctx === null) {
            regs[d] = r.view.getUint16(o, true);
            regs[d + 1] = 0;
          } else loadSlow(regions, regs, regs[s + 1], o, 2, false, d, pc);
          pc++;
          break;
        }
        case 0x71: { // u8
          const s = (w >> 11) & 0x1e;
          const r = regions[regs[s + 1]];
          const o = (regs[s] + (w >> 16)) | 0;
          const d = (w >> 7) & 0x1e;
          if (r !== undefined && o >= 0 && o < r.size && r.stride === 0 && r.ctx === null) {
            regs[d] = r.bytes[o];
            regs[d + 1] = 0;
          } else loadSlow(regions, regs, regs[s + 1], o, 1, false, d, pc);
          pc++;
          break;
        }
        case 0x79: { // u64
          const s = (w >> 11) & 0x1e;
          const r = regions[regs[s + 1]];
          const o = (regs[s] + (w >> 16)) | 0;
          const d = (w >> 7) & 0x1e;
          if (r !== undefined && o >= 0 && o <= r.size - 8 && r.stride === 0 && r.ctx === null) {
            const v = r.view;
            regs[d] = v.getInt32(o, true);
            regs[d + 1] = v.getInt32(o + 4, true);
          } else loadSlow(regions, regs, regs[s + 1], o, 8, false, d, pc);
          pc++;
          break;
        }
        case 0x81: // s32
        case 0x89: // s16
        case 0x91: { // s8
          const s = (w >> 11) & 0x1e;
          const sz = (w & 0x18) === 0 ? 4 : (w & 0x18) === 0x08 ? 2 : 1;
          loadSlow(regions, regs, regs[s + 1], (regs[s] + (w >> 16)) | 0, sz, true, (w >> 7) & 0x1e, pc);
          pc++;
          break;
        }

        // ---- stores: *(size *)(dst + off) = imm / src ----
        case 0x62: // u32 = imm
        case 0x6a: // u16 = imm
        case 0x72: // u8 = imm
        case 0x7a: { // u64 = imm (sign-extended)
          const d = (w >> 7) & 0x1e;
          const b = code[i + 1];
          const o = (regs[d] + (w >> 16)) | 0;
          const sz = (w & 0x18) === 0 ? 4 : (w & 0x18) === 0x08 ? 2 : (w & 0x18) === 0x10 ? 1 : 8;
          const r = regions[regs[d + 1]];
          if (r !== undefined && o >= 0 && o <= r.size - sz && r.writable && r.stride === 0 && r.ctx === null) {
            const v = r.view;
            if (sz === 4) v.setInt32(o, b, true);
            else if (sz === 8) {
              v.setInt32(o, b, true);
              v.setInt32(o + 4, b >> 31, true);
            } else if (sz === 2) v.setInt16(o, b, true);
            else v.setInt8(o, b);
          } else storeSlow(regions, regs[d + 1], o, sz, b, b >> 31, pc, true);
          pc++;
          break;
        }
        case 0x63: { // u32 = src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          const o = (regs[d] + (w >> 16)) | 0;
          const r = regions[regs[d + 1]];
          if (r !== undefined && o >= 0 && o <= r.size - 4 && r.writable && r.stride === 0 && r.ctx === null) {
            r.view.setInt32(o, regs[s], true);
          } else storeSlow(regions, regs[d + 1], o, 4, regs[s], 0, pc);
          pc++;
          break;
        }
        case 0x6b: { // u16 = src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          const o = (regs[d] + (w >> 16)) | 0;
          const r = regions[regs[d + 1]];
          if (r !== undefined && o >= 0 && o <= r.size - 2 && r.writable && r.stride === 0 && r.ctx === null) {
            r.view.setInt16(o, regs[s], true);
          } else storeSlow(regions, regs[d + 1], o, 2, regs[s], 0, pc);
          pc++;
          break;
        }
        case 0x73: { // u8 = src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          const o = (regs[d] + (w >> 16)) | 0;
          const r = regions[regs[d + 1]];
          if (r !== undefined && o >= 0 && o < r.size && r.writable && r.stride === 0 && r.ctx === null) {
            r.bytes[o] = regs[s];
          } else storeSlow(regions, regs[d + 1], o, 1, regs[s], 0, pc);
          pc++;
          break;
        }
        case 0x7b: { // u64 = src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          const o = (regs[d] + (w >> 16)) | 0;
          const r = regions[regs[d + 1]];
          if (r !== undefined && o >= 0 && o <= r.size - 8 && r.writable && r.stride === 0 && r.ctx === null) {
            const v = r.view;
            v.setInt32(o, regs[s], true);
            v.setInt32(o + 4, regs[s + 1], true);
          } else storeSlow(regions, regs[d + 1], o, 8, regs[s], regs[s + 1], pc);
          pc++;
          break;
        }
        case 0xc3: // atomic 32
        case 0xdb: // atomic 64
        case 0xcb: // load-acquire/store-release 16
        case 0xd3: // load-acquire/store-release 8
          atomic(regions, regs, w, code[i + 1], pc);
          pc++;
          break;

        // ---- lddw and the legacy packet loads ----
        case 0x18: { // dst = imm64 ll
          const d = (w >> 7) & 0x1e;
          regs[d] = code[i + 1];
          regs[d + 1] = code[i + 3];
          pc += 2;
          break;
        }
        case 0x20: // r0 = ntohl(*(u32 *)(skb->data + imm))
        case 0x28: // r0 = ntohs(*(u16 *)(skb->data + imm))
        case 0x30: // r0 = *(u8 *)(skb->data + imm)
        case 0x40: // r0 = ntohl(*(u32 *)(skb->data + src + imm))
        case 0x48:
        case 0x50:
          if (!loadPacket(vm, w, code[i + 1], pc)) {
            // out of bounds: the kernel's bpf_skb_load_helper path ends the program returning 0
            regs[0] = regs[1] = 0;
            vm.insnCount = count;
            return;
          }
          pc++;
          break;

        // ---- jumps ----
        case 0x05: // goto +off
          pc += (w >> 16) + 1;
          break;
        case 0x06: // gotol +imm
          pc += code[i + 1] + 1;
          break;
        case 0xe5: // may_goto +off: never taken (the instruction budget bounds loops)
          pc++;
          break;
        case 0x15: { // if dst jeq imm
          const d = (w >> 7) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = code[i + 1];
          const bh = bl >> 31;
          pc += al === bl && ah === bh ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x1d: { // if dst jeq src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = regs[s];
          const bh = regs[s + 1];
          pc += al === bl && ah === bh ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x25: { // if dst jgt imm
          const d = (w >> 7) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = code[i + 1];
          const bh = bl >> 31;
          pc += ah >>> 0 > bh >>> 0 || (ah === bh && al >>> 0 > bl >>> 0) ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x2d: { // if dst jgt src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = regs[s];
          const bh = regs[s + 1];
          pc += ah >>> 0 > bh >>> 0 || (ah === bh && al >>> 0 > bl >>> 0) ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x35: { // if dst jge imm
          const d = (w >> 7) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = code[i + 1];
          const bh = bl >> 31;
          pc += ah >>> 0 > bh >>> 0 || (ah === bh && al >>> 0 >= bl >>> 0) ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x3d: { // if dst jge src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = regs[s];
          const bh = regs[s + 1];
          pc += ah >>> 0 > bh >>> 0 || (ah === bh && al >>> 0 >= bl >>> 0) ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x45: { // if dst jset imm
          const d = (w >> 7) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = code[i + 1];
          const bh = bl >> 31;
          pc += (al & bl) !== 0 || (ah & bh) !== 0 ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x4d: { // if dst jset src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = regs[s];
          const bh = regs[s + 1];
          pc += (al & bl) !== 0 || (ah & bh) !== 0 ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x55: { // if dst jne imm
          const d = (w >> 7) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = code[i + 1];
          const bh = bl >> 31;
          pc += al !== bl || ah !== bh ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x5d: { // if dst jne src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = regs[s];
          const bh = regs[s + 1];
          pc += al !== bl || ah !== bh ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x65: { // if dst jsgt imm
          const d = (w >> 7) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = code[i + 1];
          const bh = bl >> 31;
          pc += ah > bh || (ah === bh && al >>> 0 > bl >>> 0) ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x6d: { // if dst jsgt src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = regs[s];
          const bh = regs[s + 1];
          pc += ah > bh || (ah === bh && al >>> 0 > bl >>> 0) ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x75: { // if dst jsge imm
          const d = (w >> 7) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = code[i + 1];
          const bh = bl >> 31;
          pc += ah > bh || (ah === bh && al >>> 0 >= bl >>> 0) ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x7d: { // if dst jsge src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = regs[s];
          const bh = regs[s + 1];
          pc += ah > bh || (ah === bh && al >>> 0 >= bl >>> 0) ? (w >> 16) + 1 : 1;
          break;
        }
        case 0xa5: { // if dst jlt imm
          const d = (w >> 7) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = code[i + 1];
          const bh = bl >> 31;
          pc += ah >>> 0 < bh >>> 0 || (ah === bh && al >>> 0 < bl >>> 0) ? (w >> 16) + 1 : 1;
          break;
        }
        case 0xad: { // if dst jlt src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = regs[s];
          const bh = regs[s + 1];
          pc += ah >>> 0 < bh >>> 0 || (ah === bh && al >>> 0 < bl >>> 0) ? (w >> 16) + 1 : 1;
          break;
        }
        case 0xb5: { // if dst jle imm
          const d = (w >> 7) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = code[i + 1];
          const bh = bl >> 31;
          pc += ah >>> 0 < bh >>> 0 || (ah === bh && al >>> 0 <= bl >>> 0) ? (w >> 16) + 1 : 1;
          break;
        }
        case 0xbd: { // if dst jle src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = regs[s];
          const bh = regs[s + 1];
          pc += ah >>> 0 < bh >>> 0 || (ah === bh && al >>> 0 <= bl >>> 0) ? (w >> 16) + 1 : 1;
          break;
        }
        case 0xc5: { // if dst jslt imm
          const d = (w >> 7) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = code[i + 1];
          const bh = bl >> 31;
          pc += ah < bh || (ah === bh && al >>> 0 < bl >>> 0) ? (w >> 16) + 1 : 1;
          break;
        }
        case 0xcd: { // if dst jslt src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = regs[s];
          const bh = regs[s + 1];
          pc += ah < bh || (ah === bh && al >>> 0 < bl >>> 0) ? (w >> 16) + 1 : 1;
          break;
        }
        case 0xd5: { // if dst jsle imm
          const d = (w >> 7) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = code[i + 1];
          const bh = bl >> 31;
          pc += ah < bh || (ah === bh && al >>> 0 <= bl >>> 0) ? (w >> 16) + 1 : 1;
          break;
        }
        case 0xdd: { // if dst jsle src
          const d = (w >> 7) & 0x1e;
          const s = (w >> 11) & 0x1e;
          const al = regs[d];
          const ah = regs[d + 1];
          const bl = regs[s];
          const bh = regs[s + 1];
          pc += ah < bh || (ah === bh && al >>> 0 <= bl >>> 0) ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x16: { // if wdst jeq imm
          const al = regs[(w >> 7) & 0x1e];
          const bl = code[i + 1];
          pc += al === bl ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x1e: { // if wdst jeq wsrc
          const al = regs[(w >> 7) & 0x1e];
          const bl = regs[(w >> 11) & 0x1e];
          pc += al === bl ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x26: { // if wdst jgt imm
          const al = regs[(w >> 7) & 0x1e];
          const bl = code[i + 1];
          pc += al >>> 0 > bl >>> 0 ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x2e: { // if wdst jgt wsrc
          const al = regs[(w >> 7) & 0x1e];
          const bl = regs[(w >> 11) & 0x1e];
          pc += al >>> 0 > bl >>> 0 ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x36: { // if wdst jge imm
          const al = regs[(w >> 7) & 0x1e];
          const bl = code[i + 1];
          pc += al >>> 0 >= bl >>> 0 ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x3e: { // if wdst jge wsrc
          const al = regs[(w >> 7) & 0x1e];
          const bl = regs[(w >> 11) & 0x1e];
          pc += al >>> 0 >= bl >>> 0 ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x46: { // if wdst jset imm
          const al = regs[(w >> 7) & 0x1e];
          const bl = code[i + 1];
          pc += (al & bl) !== 0 ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x4e: { // if wdst jset wsrc
          const al = regs[(w >> 7) & 0x1e];
          const bl = regs[(w >> 11) & 0x1e];
          pc += (al & bl) !== 0 ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x56: { // if wdst jne imm
          const al = regs[(w >> 7) & 0x1e];
          const bl = code[i + 1];
          pc += al !== bl ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x5e: { // if wdst jne wsrc
          const al = regs[(w >> 7) & 0x1e];
          const bl = regs[(w >> 11) & 0x1e];
          pc += al !== bl ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x66: { // if wdst jsgt imm
          const al = regs[(w >> 7) & 0x1e];
          const bl = code[i + 1];
          pc += al > bl ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x6e: { // if wdst jsgt wsrc
          const al = regs[(w >> 7) & 0x1e];
          const bl = regs[(w >> 11) & 0x1e];
          pc += al > bl ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x76: { // if wdst jsge imm
          const al = regs[(w >> 7) & 0x1e];
          const bl = code[i + 1];
          pc += al >= bl ? (w >> 16) + 1 : 1;
          break;
        }
        case 0x7e: { // if wdst jsge wsrc
          const al = regs[(w >> 7) & 0x1e];
          const bl = regs[(w >> 11) & 0x1e];
          pc += al >= bl ? (w >> 16) + 1 : 1;
          break;
        }
        case 0xa6: { // if wdst jlt imm
          const al = regs[(w >> 7) & 0x1e];
          const bl = code[i + 1];
          pc += al >>> 0 < bl >>> 0 ? (w >> 16) + 1 : 1;
          break;
        }
        case 0xae: { // if wdst jlt wsrc
          const al = regs[(w >> 7) & 0x1e];
          const bl = regs[(w >> 11) & 0x1e];
          pc += al >>> 0 < bl >>> 0 ? (w >> 16) + 1 : 1;
          break;
        }
        case 0xb6: { // if wdst jle imm
          const al = regs[(w >> 7) & 0x1e];
          const bl = code[i + 1];
          pc += al >>> 0 <= bl >>> 0 ? (w >> 16) + 1 : 1;
          break;
        }
        case 0xbe: { // if wdst jle wsrc
          const al = regs[(w >> 7) & 0x1e];
          const bl = regs[(w >> 11) & 0x1e];
          pc += al >>> 0 <= bl >>> 0 ? (w >> 16) + 1 : 1;
          break;
        }
        case 0xc6: { // if wdst jslt imm
          const al = regs[(w >> 7) & 0x1e];
          const bl = code[i + 1];
          pc += al < bl ? (w >> 16) + 1 : 1;
          break;
        }
        case 0xce: { // if wdst jslt wsrc
          const al = regs[(w >> 7) & 0x1e];
          const bl = regs[(w >> 11) & 0x1e];
          pc += al < bl ? (w >> 16) + 1 : 1;
          break;
        }
        case 0xd6: { // if wdst jsle imm
          const al = regs[(w >> 7) & 0x1e];
          const bl = code[i + 1];
          pc += al <= bl ? (w >> 16) + 1 : 1;
          break;
        }
        case 0xde: { // if wdst jsle wsrc
          const al = regs[(w >> 7) & 0x1e];
          const bl = regs[(w >> 11) & 0x1e];
          pc += al <= bl ? (w >> 16) + 1 : 1;
          break;
        }

        // ---- calls ----
        case 0x85: // call helper imm
        case 0x8d: { // callx dst: a function pointer (TAG_FUNC, insn) or a helper id
          let h;
          if ((w & 0xff) === 0x85) {
            h = helpers[code[i + 1]];
            if (h === undefined) throw new BpfFault('unknown_helper', pc, `helper ${code[i + 1]} is not available`);
          } else {
            const d = (w >> 7) & 0x1e;
            const lo = regs[d];
            if (regs[d + 1] === TAG_FUNC) {
              checkCallxTarget(prep, lo, pc);
              enterFrame(vm, depth, pc, exe);
              depth++;
              pc = lo;
              break;
            }
            h = regs[d + 1] === 0 ? helpers[lo] : undefined;
            if (h === undefined) throw new BpfFault('unknown_helper', pc, `callx to ${regs[d + 1]}:${lo}, neither a function nor a helper id`);
          }
          vm.pc = pc;
          vm.insnCount = count;
          vm.depth = depth;
          h(vm);
          count = vm.insnCount;
          const t = vm.tailCallTarget;
          if (t !== null) {
            // bpf_tail_call (by `call` or `callx`): continue in the target at pc 0, same frame,
            // registers as they are
            vm.tailCallTarget = null;
            exe = t;
            prep = preparedOf(t);
            code = prep.code;
            vm.current = t;
            pc = 0;
          } else pc++;
          break;
        }
        case OP_CALL_LOCAL: // call pc + imm + 1
          enterFrame(vm, depth, pc, exe);
          depth++;
          pc += code[i + 1] + 1;
          break;
        case 0x95: { // exit
          if (depth === baseDepth) {
            vm.insnCount = count;
            return;
          }
          depth--;
          const save = vm.frameRegs;
          const b = depth * FRAME_SAVE;
          for (let k = 0; k < FRAME_SAVE; k++) regs[R6 + k] = save[b + k];
          pc = vm.frameRet[depth];
          exe = vm.frameExe[depth] as Executable;
          prep = preparedOf(exe);
          code = prep.code;
          vm.current = exe;
          vm.depth = depth;
          break;
        }

        case OP_FELL_OFF:
          throw fellOffEnd(exe.name, pc);
        case OP_FAULT: {
          const f = prep.faults.get(pc);
          throw new BpfFault(f?.kind ?? 'unknown_opcode', pc, f?.detail ?? `unknown opcode 0x${(w & 0xff).toString(16)}`);
        }
        default:
          throw new BpfFault('unknown_opcode', pc, `unknown opcode 0x${(w & 0xff).toString(16).padStart(2, '0')}`);
      }
    }
  } catch (e) {
    // a fault inside a helper's callback (invoke) already counted further than our copy
    if (count > vm.insnCount) vm.insnCount = count;
    if (e instanceof BpfFault) {
      if (e.pc < 0) e.pc = pc;
      if (e.insnText === '') e.insnText = describeInsn(exe.insns, e.pc);
    }
    throw e;
  }
}

/** bpf-to-bpf call: saves r6..r10 and the return point, then the frame push both tiers share. */
function enterFrame(vm: Vm, depth: number, pc: number, exe: Executable): void {
  // depth < MAX_CALL_FRAMES here, so the slot exists even when pushFrame refuses the call
  const regs = vm.regs;
  const save = vm.frameRegs;
  const b = depth * FRAME_SAVE;
  for (let k = 0; k < FRAME_SAVE; k++) save[b + k] = regs[R6 + k];
  vm.frameRet[depth] = pc + 1;
  vm.frameExe[depth] = exe;
  pushFrame(vm, depth, pc);
}

/**
 * Legacy BPF_LD|BPF_ABS/BPF_IND (calls.ts packetLoad): r0 = the big-endian packet bytes; false
 * when out of bounds. r1..r5 are clobbered, as the verifier assumes (zeroed here so misuse shows).
 */
function loadPacket(vm: Vm, w: number, imm: number, pc: number): boolean {
  const regs = vm.regs;
  const size = (w & 0x18) === 0 ? 4 : (w & 0x18) === 0x08 ? 2 : 1;
  let off = imm;
  if ((w & 0xe0) === 0x40) off = (off + regs[(w >> 11) & 0x1e]) | 0;
  const v = packetLoad(vm, size, off, pc);
  for (let k = 2; k < 12; k++) regs[k] = 0;
  if (v < 0) return false;
  regs[0] = v | 0;
  regs[1] = 0;
  return true;
}
