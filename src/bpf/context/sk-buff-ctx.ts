// sk-buff-ctx.ts: the `struct __sk_buff` a tc program gets in r1, over an Skb. Every load and
// store is checked as the kernel's verifier would (tc_cls_act_is_valid_access) and answered as
// the kernel's rewritten instructions would (bpf_convert_ctx_access), narrow-read quirks included.
// A refused access is a BpfFault('ctx_access') naming the field; nothing here allocates per access.
import { BpfFault } from '../fault.js';
import { Region, type CtxHandler, type Memory } from '../memory.js';
import { MIN_NAPI_ID, NO_QUEUE_MAPPING } from '../skb/constants.js';
import type { Skb } from '../skb/skb.js';
import { FIELD_AT, SKB_OFF, SK_BUFF_FIELDS, SK_BUFF_SIZE, fieldName, type SkBuffField } from './sk-buff-layout.js';
import { bswap16 } from '../interp/arith.js';

export class SkBuffContext implements CtxHandler {
  skb: Skb;
  /**
   * The program reads __sk_buff.tstamp_type somewhere (the verifier's prog->tstamp_type_access).
   * When false, a tstamp read at ingress hides a delivery time (reads 0) and a tstamp write at
   * ingress clears tstamp_type. Set per program before a run (see readsTstampType).
   */
  tstampTypeAccess = false;
  /** Region tag where skb.sk is installed (0 = none: __sk_buff.sk reads NULL). */
  sockTag = 0;
  /** The ctx region (192 bytes, every access through this handler), installed at TAG_CTX. */
  readonly region: Region;

  constructor(
    readonly memory: Memory,
    skb: Skb,
  ) {
    this.skb = skb;
    this.region = new Region('ctx', new Uint8Array(SK_BUFF_SIZE), true, 0, 0, this);
  }

  load(off: number, size: number, regs: Int32Array, dst: number, pc: number, signed = false): void {
    const fd = this.check(off, size, false, signed, pc);
    const skb = this.skb;
    let lo = 0;
    let hi = 0;
    switch (fd.access) {
      case 'pointer':
        hi = this.memory.packetTag;
        lo = fd.off === SKB_OFF.data ? skb.data : fd.off === SKB_OFF.data_end ? skb.tail : skb.data - skb.metaLen;
        break;
      case 'sk':
        if (skb.sk !== null && this.sockTag !== 0) hi = this.sockTag;
        break;
      case 'u64': {
        let v: bigint;
        if (fd.off === SKB_OFF.tstamp) {
          // bpf_convert_tstamp_read: without tstamp_type access, an ingress delivery time reads 0.
          v = !this.tstampTypeAccess && skb.tcAtIngress && skb.tstampType !== 0 ? 0n : skb.tstamp;
        } else {
          v = skb.hwtstamp;
        }
        lo = Number(v & 0xffffffffn) | 0;
        hi = Number((v >> 32n) & 0xffffffffn) | 0;
        break;
      }
      case 'tstamp_type':
        lo = skb.tstampType & 3;
        break;
      case 'cb': {
        const cb = skb.cb;
        const o = off - SKB_OFF.cb;
        lo = cb[o];
        if (size >= 2) lo |= cb[o + 1] << 8;
        if (size >= 4) lo |= (cb[o + 2] << 16) | (cb[o + 3] << 24);
        if (size === 8) hi = cb[o + 4] | (cb[o + 5] << 8) | (cb[o + 6] << 16) | (cb[o + 7] << 24);
        break;
      }
      default: {
        // scalar: the kernel loads the whole backing field; a narrower read shifts and masks only
        // when it is narrower than that backing field (verifier.c convert_ctx_accesses), so a
        // 2-byte read of the upper half of `protocol` yields protocol itself, not 0.
        let v = this.scalar(fd.off);
        if (size < fd.target) {
          v = (v >>> ((off & 3) * 8)) & (size === 1 ? 0xff : 0xffff);
        }
        lo = v | 0;
        break;
      }
    }
    if (signed && size < 8) {
      // BPF_MEMSX: the converted value is sign-extended from the access size.
      const bits = 32 - size * 8;
      lo = bits === 0 ? lo : (lo << bits) >> bits;
      hi = lo < 0 ? -1 : 0;
    }
    regs[2 * dst] = lo;
    regs[2 * dst + 1] = hi;
  }

  /**
   * `fromImm`: the value came from a BPF_ST immediate (sign-extended s32) rather than a register;
   * the kernel compares them differently for queue_mapping.
   */
  store(off: number, size: number, lo: number, hi: number, pc: number, fromImm = false): void {
    const fd = this.check(off, size, true, false, pc);
    const skb = this.skb;
    switch (fd.off) {
      case SKB_OFF.mark:
        skb.mark = lo >>> 0;
        return;
      case SKB_OFF.priority:
        skb.priority = lo >>> 0;
        return;
      case SKB_OFF.tc_index:
        skb.tcIndex = lo & 0xffff;
        return;
      case SKB_OFF.tc_classid:
        skb.tcClassid = lo & 0xffff;
        return;
      case SKB_OFF.queue_mapping:
        // NO_QUEUE_MAPPING and above are skipped: BPF_ST compares the s32 immediate, BPF_STX the
        // whole 64-bit register (so ST of -1 stores 0xffff while STX of -1 is skipped).
        if (fromImm ? (lo | 0) >= NO_QUEUE_MAPPING : hi !== 0 || lo >>> 0 >= NO_QUEUE_MAPPING) return;
        skb.queueMapping = lo & 0xffff;
        return;
      case SKB_OFF.tstamp:
        // bpf_convert_tstamp_write: without tstamp_type access, a write at ingress clears the type.
        if (!this.tstampTypeAccess && skb.tcAtIngress) skb.tstampType = 0;
        skb.tstamp = BigInt(hi >>> 0) * 0x1_0000_0000n + BigInt(lo >>> 0);
        return;
      default: {
        // cb
        const cb = skb.cb;
        const o = off - SKB_OFF.cb;
        cb[o] = lo;
        if (size >= 2) cb[o + 1] = lo >>> 8;
        if (size >= 4) {
          cb[o + 2] = lo >>> 16;
          cb[o + 3] = lo >>> 24;
        }
        if (size === 8) {
          cb[o + 4] = hi;
          cb[o + 5] = hi >>> 8;
          cb[o + 6] = hi >>> 16;
          cb[o + 7] = hi >>> 24;
        }
      }
    }
  }

  /** Value of a 4-byte-slot field as the kernel's converted load returns it (zero-extended u32). */
  private scalar(fieldOff: number): number {
    const skb = this.skb;
    switch (fieldOff) {
      case SKB_OFF.len:
        return skb.len;
      case SKB_OFF.pkt_type:
        return skb.pktType & 7;
      case SKB_OFF.mark:
        return skb.mark >>> 0;
      case SKB_OFF.queue_mapping:
        return skb.queueMapping & 0xffff;
      case SKB_OFF.protocol:
        return bswap16(skb.protocol);
      case SKB_OFF.vlan_present:
        return skb.vlanPresent ? 1 : 0;
      case SKB_OFF.vlan_tci:
        return skb.vlanTci & 0xffff;
      case SKB_OFF.vlan_proto:
        return bswap16(skb.vlanProto);
      case SKB_OFF.priority:
        return skb.priority >>> 0;
      case SKB_OFF.ingress_ifindex:
        return skb.ingressIfindex >>> 0;
      case SKB_OFF.ifindex:
        return skb.ifindex >>> 0;
      case SKB_OFF.tc_index:
        return skb.tcIndex & 0xffff;
      case SKB_OFF.hash:
        return skb.hash >>> 0;
      case SKB_OFF.tc_classid:
        return skb.tcClassid & 0xffff;
      case SKB_OFF.napi_id:
        return skb.napiId >>> 0 >= MIN_NAPI_ID ? skb.napiId >>> 0 : 0;
      case SKB_OFF.wire_len:
        return skb.wireLen >>> 0;
      case SKB_OFF.gso_segs:
        return skb.gsoSegs & 0xffff;
      case SKB_OFF.gso_size:
        return skb.gsoSize & 0xffff;
      default:
        return 0;
    }
  }

  /**
   * tc_cls_act_is_valid_access + bpf_skb_is_valid_access; returns the field or throws. The
   * verifier decides each (offset, size, direction) once; accepted accesses are remembered so a
   * replay pays one table lookup per context access, not the whole rule set.
   */
  private check(off: number, size: number, write: boolean, signed: boolean, pc: number): SkBuffField {
    const key = off >= 0 && off < SK_BUFF_SIZE && size <= 8 ? (((off << 4) | (size << 1) | (write ? 1 : 0)) << 1) | (signed ? 1 : 0) : -1;
    if (key >= 0 && ACCEPTED[key] === 1) return SK_BUFF_FIELDS[FIELD_AT[off]];
    const fd = this.validate(off, size, write, signed, pc);
    if (key >= 0) ACCEPTED[key] = 1;
    return fd;
  }

  private validate(off: number, size: number, write: boolean, signed: boolean, pc: number): SkBuffField {
    if (off < 0 || off >= SK_BUFF_SIZE) {
      throw this.fault(off, size, write, pc, `offset ${off} is outside the ${SK_BUFF_SIZE}-byte __sk_buff`);
    }
    const fd = SK_BUFF_FIELDS[FIELD_AT[off]];
    if (write && !fd.writable) throw this.fault(off, size, write, pc, null);
    if (fd.access === 'forbidden') throw this.fault(off, size, write, pc, null);
    if (fd.access === 'tstamp_type') {
      if (off === fd.off && size === 1) return fd;
      throw this.fault(off, size, write, pc, 'tstamp_type must be read with a 1-byte load');
    }
    if (off % size !== 0) throw this.fault(off, size, write, pc, `offset ${off} is not ${size}-byte aligned`);
    switch (fd.access) {
      case 'cb':
        if (off + size > SKB_OFF.cb + CB_BYTES) throw this.fault(off, size, write, pc, 'the access runs past cb[4]');
        return fd;
      case 'pointer':
        if (signed || size !== 4) throw this.fault(off, size, write, pc, `${fd.name} must be read with one plain 4-byte load`);
        return fd;
      case 'u64':
      case 'sk':
        if (size !== 8) throw this.fault(off, size, write, pc, `${fd.name} must be accessed with an 8-byte load${fd.writable ? ' or store' : ''}`);
        return fd;
      default:
        if (write ? size !== 4 : size > 4) {
          throw this.fault(off, size, write, pc, write ? `${fd.name} must be written with a 4-byte store` : `${fd.name} is 4 bytes wide`);
        }
        return fd;
    }
  }

  private fault(off: number, size: number, write: boolean, pc: number, why: string | null): BpfFault {
    const what = `${size}-byte ${write ? 'write' : 'read'} of __sk_buff.${off >= 0 && off < SK_BUFF_SIZE ? fieldName(off) : '?'} (offset ${off})`;
    const detail = why === null ? `${what} is not allowed for tc programs` : `${what} is not allowed: ${why}`;
    return new BpfFault('ctx_access', pc, detail, 'ctx', off, size);
  }
}

/** Accesses already validated, by (offset, size, write, signed); see check(). */
const ACCEPTED = new Uint8Array(SK_BUFF_SIZE << 5);

/** cb[0..4]: five u32s. */
const CB_BYTES = 20;

