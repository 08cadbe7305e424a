// csum.test.ts: l3/l4_csum_replace, csum_diff, csum_update, csum_level: the kernel's csum_nat
// runs replayed helper by helper (bytes must match exactly, and every rewritten checksum must be
// valid for an independent verifier), then flags, offsets and ip_summed cases.
import { describe, expect, it } from 'vitest';
import {
  BPF_CSUM_LEVEL_DEC,
  BPF_CSUM_LEVEL_INC,
  BPF_CSUM_LEVEL_QUERY,
  BPF_CSUM_LEVEL_RESET,
  BPF_FUNC_csum_diff as DIFF,
  BPF_FUNC_csum_level as LEVEL,
  BPF_FUNC_csum_update as UPDATE,
  BPF_FUNC_l3_csum_replace as L3,
  BPF_FUNC_l4_csum_replace as L4,
  BPF_F_MARK_ENFORCE,
  BPF_F_MARK_MANGLED_0,
  BPF_F_PSEUDO_HDR,
} from '../../../src/bpf/helpers/csum.js';
import { BPF_FUNC_skb_load_bytes as LOAD, BPF_FUNC_skb_store_bytes as STORE } from '../../../src/bpf/helpers/packet.js';
import { CHECKSUM_COMPLETE, CHECKSUM_NONE, CHECKSUM_PARTIAL, CHECKSUM_UNNECESSARY } from '../../../src/bpf/skb/constants.js';
import { HelperBench, cbOut, hex, ipv4ChecksumsValid, kernelRuns, markOut, type KernelRun } from './harness.js';

const EFAULT = -14n;
const EINVAL = -22n;
const IP4_OFF_CSUM = 24;
const IP4_OFF_SADDR = 26;
const IP4_OFF_DADDR = 30;
const L4_OFF = 34;

/** A u32 loaded from the packet the way a program holds it (little-endian CPU). */
function le32(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}

/** bpf/csum_nat.c dnat, step by step. Returns the verdict. */
function dnat(t: HelperBench): number {
  const b = t.skb.buf;
  const d = t.skb.data;
  if (t.skb.len < 34 || b[d + 12] !== 0x08 || b[d + 13] !== 0x00 || (b[d + 14] & 0x0f) !== 5) return 0;
  const proto = b[d + 23];
  const oldIp = le32(b, d + IP4_OFF_DADDR);
  const newIp = le32(hex('c0a8010a'), 0);
  const newPort = 0x901f; // bpf_htons(8080) as the CPU holds it
  let csumOff: number;
  let l4Flags: number;
  if (proto === 6) {
    csumOff = L4_OFF + 16;
    l4Flags = BPF_F_PSEUDO_HDR;
  } else if (proto === 17) {
    csumOff = L4_OFF + 6;
    l4Flags = BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0;
  } else {
    return -1;
  }
  if (t.call(LOAD, L4_OFF + 2, { ptr: 0 }, 2) < 0n) return 2;
  const oldPort = t.scratch[0] | (t.scratch[1] << 8);
  const cb: number[] = [];
  cb[0] = t.callU32(L4, csumOff, oldIp, newIp, l4Flags | 4);
  cb[1] = t.callU32(L3, IP4_OFF_CSUM, oldIp, newIp, 4);
  t.call(STORE, IP4_OFF_DADDR, t.put(8, 'c0a8010a'), 4, 0);
  cb[2] = t.callU32(L4, csumOff, oldPort, newPort, (l4Flags & ~BPF_F_PSEUDO_HDR) | 2);
  t.call(STORE, L4_OFF + 2, t.put(12, '1f90'), 2, 0);
  cb[3] = t.callU32(L3, IP4_OFF_CSUM, 0, 1, 3);
  cb[4] = t.callU32(L4, t.skb.len, 0, 1, 2);
  cbs.set(t, cb);
  return 0;
}
const cbs = new WeakMap<HelperBench, number[]>();

describe('kernel fixture csum_nat', () => {
  it.each(kernelRuns('csum_nat', 'dnat'))('dnat $data_in', (run: KernelRun) => {
    const t = new HelperBench(run.data_in);
    expect(dnat(t) >>> 0).toBe(run.retval);
    expect(t.data).toBe(run.data_out);
    const cb = cbs.get(t) ?? [0, 0, 0, 0, 0];
    for (let i = 0; i < 5; i++) expect(cb[i]).toBe(cbOut(run, i));
    if (cbs.has(t) && cb[0] === 0) {
      const v = ipv4ChecksumsValid(t.skb.bytes());
      expect(v.l3).toBe(true);
      expect(v.l4).toBe(true);
    }
  });

  it.each(kernelRuns('csum_nat', 'snat_diff'))('snat_diff $data_in', (run: KernelRun) => {
    const t = new HelperBench(run.data_in);
    const b = t.skb.buf;
    const d = t.skb.data;
    const proto = b[d + 23];
    const csumOff = proto === 6 ? L4_OFF + 16 : proto === 17 ? L4_OFF + 6 : 0;
    const oldIp = t.put(0, b.subarray(d + IP4_OFF_SADDR, d + IP4_OFF_SADDR + 4));
    const newIp = t.put(4, '0a636363');
    const delta = t.callRaw(DIFF, oldIp, 4, newIp, 4, 0);
    expect(Number(BigInt.asUintN(32, delta))).toBe(markOut(run));
    expect(Number(BigInt.asUintN(32, t.callRaw(DIFF, oldIp, 3, newIp, 3, 0)))).toBe(cbOut(run, 0));
    expect(Number(BigInt.asUintN(32, t.callRaw(DIFF, 0, 0, newIp, 4, 0x1234)))).toBe(cbOut(run, 1));
    t.call(STORE, IP4_OFF_SADDR, newIp, 4, 0);
    expect(t.callU32(L3, IP4_OFF_CSUM, 0, delta, 0)).toBe(cbOut(run, 2));
    if (csumOff) expect(t.callU32(L4, csumOff, 0, delta, BPF_F_PSEUDO_HDR)).toBe(cbOut(run, 3));
    expect(t.data).toBe(run.data_out);
    const v = ipv4ChecksumsValid(t.skb.bytes());
    expect(v.l3).toBe(true);
    if (v.l4 !== null) expect(v.l4).toBe(true);
  });
});

const UDP_FRAME = '02000000000202000000000108004500002112344000401114960a0000010a00000214e90035000d86cb7175657279';

describe('l3_csum_replace', () => {
  it('checks flags, then offset (past 0xffff, odd, past the packet), then size', () => {
    const t = new HelperBench(UDP_FRAME);
    expect(t.call(L3, 0x10000, 0, 0, 0x10)).toBe(EINVAL);
    expect(t.call(L3, 0x10000, 0, 0, 2)).toBe(EFAULT);
    expect(t.call(L3, 25, 0, 0, 2)).toBe(EFAULT);
    expect(t.call(L3, t.skb.len - 1, 0, 0, 2)).toBe(EFAULT);
    expect(t.call(L3, IP4_OFF_CSUM, 1, 0, 0)).toBe(EINVAL); // size 0 needs from == 0
    expect(t.call(L3, IP4_OFF_CSUM, 1n << 32n, 0, 0)).toBe(EINVAL);
    expect(t.call(L3, IP4_OFF_CSUM, 0, 0, 8)).toBe(EINVAL);
    expect(t.data).toBe(UDP_FRAME);
  });

  it('a 2-byte replace of the TTL/protocol word keeps the header valid', () => {
    const t = new HelperBench(UDP_FRAME);
    const b = t.skb.buf;
    const d = t.skb.data;
    const from = b[d + 22] | (b[d + 23] << 8);
    b[d + 22] = 0x3f;
    const to = b[d + 22] | (b[d + 23] << 8);
    expect(t.call(L3, IP4_OFF_CSUM, from, to, 2)).toBe(0n);
    expect(ipv4ChecksumsValid(t.skb.bytes()).l3).toBe(true);
  });
});

describe('l4_csum_replace', () => {
  it('refuses unknown flag bits and bad sizes', () => {
    const t = new HelperBench(UDP_FRAME);
    expect(t.call(L4, 40, 0, 0, 0x100)).toBe(EINVAL);
    expect(t.call(L4, 40, 0, 0, 3)).toBe(EINVAL);
    expect(t.call(L4, 40, 5, 0, 0)).toBe(EINVAL);
  });

  it('MARK_MANGLED_0 leaves a zero UDP checksum alone unless MARK_ENFORCE', () => {
    const t = new HelperBench(UDP_FRAME);
    const d = t.skb.data;
    t.skb.buf[d + 40] = 0;
    t.skb.buf[d + 41] = 0;
    expect(t.call(L4, 40, 0x0a, 0x0b, BPF_F_MARK_MANGLED_0 | 2)).toBe(0n);
    expect(t.skb.buf[d + 40] | t.skb.buf[d + 41]).toBe(0);
    expect(t.call(L4, 40, 0x0a, 0x0b, BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | 2)).toBe(0n);
    expect(t.skb.buf[d + 40] | t.skb.buf[d + 41]).not.toBe(0);
  });

  it('MARK_MANGLED_0 writes a computed 0 as 0xffff', () => {
    const t = new HelperBench(UDP_FRAME);
    const d = t.skb.data;
    // a field of 0 (forced past the no-checksum rule) plus a zero diff computes to 0
    t.skb.buf[d + 40] = 0;
    t.skb.buf[d + 41] = 0;
    expect(t.call(L4, 40, 0, 0, BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE)).toBe(0n);
    expect([t.skb.buf[d + 40], t.skb.buf[d + 41]]).toEqual([0xff, 0xff]);
  });

  it('CHECKSUM_PARTIAL only updates the pseudo-header sum, and only with PSEUDO_HDR', () => {
    const t = new HelperBench(UDP_FRAME);
    t.skb.ipSummed = CHECKSUM_PARTIAL;
    const before = t.data;
    expect(t.call(L4, 40, 0x0a, 0x0b, 2)).toBe(0n);
    expect(t.data).toBe(before);
    expect(t.call(L4, 40, 0x0a, 0x0b, BPF_F_PSEUDO_HDR | 2)).toBe(0n);
    expect(t.data).not.toBe(before);
  });

  it('CHECKSUM_COMPLETE with PSEUDO_HDR updates skb->csum too', () => {
    const t = new HelperBench(UDP_FRAME);
    t.skb.ipSummed = CHECKSUM_COMPLETE;
    t.skb.csum = 0x12345;
    expect(t.call(L4, 40, 0x0a, 0x0b, BPF_F_PSEUDO_HDR | 4)).toBe(0n);
    expect(t.skb.csum).not.toBe(0x12345);
  });
});

describe('csum_diff', () => {
  it('pull (to_size 0) undoes push (from_size 0)', () => {
    const t = new HelperBench(UDP_FRAME);
    const p = t.put(0, '0a0000010a000002');
    const pushed = t.callRaw(DIFF, 0, 0, p, 8, 0x77);
    const pulled = t.callRaw(DIFF, p, 8, 0, 0, pushed);
    expect(Number(pulled) % 0xffff).toBe(0x77);
  });

  it('returns the seed folded when both sizes are 0', () => {
    const t = new HelperBench(UDP_FRAME);
    expect(t.callRaw(DIFF, 0, 0, 0, 0, 0x12345)).toBe(0x2346n);
  });
});

describe('csum_update', () => {
  it('is -ENOTSUPP unless CHECKSUM_COMPLETE (as under test-run)', () => {
    const t = new HelperBench(UDP_FRAME);
    expect(t.call(UPDATE, 5)).toBe(-524n);
    t.skb.ipSummed = CHECKSUM_COMPLETE;
    t.skb.csum = 0xfffffffe;
    expect(t.call(UPDATE, 3)).toBe(2n); // end-around carry
    expect(t.skb.csum).toBe(2);
  });
});

describe('csum_level', () => {
  it('QUERY is -EACCES unless CHECKSUM_UNNECESSARY; INC/DEC/RESET move the level', () => {
    const t = new HelperBench(UDP_FRAME);
    expect(t.call(LEVEL, BPF_CSUM_LEVEL_QUERY)).toBe(-13n);
    expect(t.call(LEVEL, BPF_CSUM_LEVEL_INC)).toBe(0n);
    expect(t.skb.ipSummed).toBe(CHECKSUM_UNNECESSARY);
    expect(t.call(LEVEL, BPF_CSUM_LEVEL_QUERY)).toBe(0n);
    for (let i = 0; i < 5; i++) t.call(LEVEL, BPF_CSUM_LEVEL_INC);
    expect(t.call(LEVEL, BPF_CSUM_LEVEL_QUERY)).toBe(3n);
    expect(t.call(LEVEL, BPF_CSUM_LEVEL_DEC)).toBe(0n);
    expect(t.call(LEVEL, BPF_CSUM_LEVEL_QUERY)).toBe(2n);
    expect(t.call(LEVEL, BPF_CSUM_LEVEL_RESET)).toBe(0n);
    expect(t.skb.ipSummed).toBe(CHECKSUM_NONE);
    expect(t.call(LEVEL, 4)).toBe(EINVAL);
    expect(t.call(LEVEL, 1n << 32n)).toBe(EINVAL);
  });
});
