// sock-common-ctx.ts: `struct bpf_sock` read through __sk_buff.sk (PTR_TO_SOCK_COMMON, read-only):
// the checks of bpf_sock_common_is_valid_access and the values of bpf_sock_convert_ctx_access
// over an Skb's SkbSocket. type/protocol/mark/priority are full-socket fields and are refused.
import { BpfFault } from '../fault.js';
import { Region, type CtxHandler } from '../memory.js';
import type { SkbSocket } from '../skb/socket.js';

export const BPF_SOCK_SIZE = 80;

const NAMES: Array<[number, number, string]> = [
  [0, 4, 'bound_dev_if'], [4, 4, 'family'], [8, 4, 'type'], [12, 4, 'protocol'], [16, 4, 'mark'],
  [20, 4, 'priority'], [24, 4, 'src_ip4'], [28, 16, 'src_ip6'], [44, 4, 'src_port'], [48, 2, 'dst_port'],
  [50, 2, 'padding'], [52, 4, 'dst_ip4'], [56, 16, 'dst_ip6'], [72, 4, 'state'], [76, 4, 'rx_queue_mapping'],
];

export class SockCommonContext implements CtxHandler {
  sk: SkbSocket | null = null;
  readonly region: Region = new Region('sock', new Uint8Array(BPF_SOCK_SIZE), false, 0, 0, this);

  load(off: number, size: number, regs: Int32Array, dst: number, pc: number, signed = false): void {
    const sk = this.sk;
    if (sk === null) throw new BpfFault('null_dereference', pc, 'socket pointer used after the socket went away');
    if (off < 0 || off >= BPF_SOCK_SIZE || off % size !== 0 || size > 4 || (off >= 8 && off < 24) || off === 50) {
      throw this.fault(off, size, false, pc);
    }
    const slot = off & ~3;
    let v: number;
    let target = 4;
    switch (slot) {
      case 0:
        if (size !== 4) throw this.fault(off, size, false, pc);
        v = sk.boundDevIf >>> 0;
        break;
      case 4:
        v = sk.family;
        target = 2;
        break;
      case 24:
        v = le32(sk.rcvSaddr4, 0);
        break;
      case 44:
        v = sk.num & 0xffff;
        target = 2;
        break;
      case 48:
        v = ((sk.dport & 0xff) << 8) | ((sk.dport >>> 8) & 0xff);
        target = 2;
        break;
      case 52:
        v = le32(sk.daddr4, 0);
        break;
      case 72:
        v = sk.state & 0xff;
        target = 1;
        break;
      case 76:
        // rx_queue_mapping: NO_QUEUE_MAPPING reads as -1 (a 64-bit mov of -1)
        v = sk.rxQueueMapping === 0xffff ? -1 : sk.rxQueueMapping;
        target = 2;
        break;
      default:
        v = slot < 44 ? le32(sk.rcvSaddr6, slot - 28) : le32(sk.daddr6, slot - 56);
    }
    if (size < target) v = (v >>> ((off & 3) * 8)) & (size === 1 ? 0xff : 0xffff);
    let hi = v < 0 ? -1 : 0;
    if (signed && size < 4) {
      const bits = 32 - size * 8;
      v = (v << bits) >> bits;
      hi = v < 0 ? -1 : 0;
    } else if (signed) {
      hi = (v | 0) < 0 ? -1 : 0;
    }
    regs[2 * dst] = v | 0;
    regs[2 * dst + 1] = hi;
  }

  store(off: number, size: number, _lo: number, _hi: number, pc: number): void {
    throw this.fault(off, size, true, pc);
  }

  private fault(off: number, size: number, write: boolean, pc: number): BpfFault {
    const e = NAMES.find(([o, n]) => off >= o && off < o + n);
    const name = e === undefined ? '?' : e[2];
    return new BpfFault(
      'ctx_access',
      pc,
      `${size}-byte ${write ? 'write' : 'read'} of bpf_sock.${name} (offset ${off}) through __sk_buff.sk is not allowed`,
      'sock',
      off,
      size,
    );
  }
}

function le32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}
