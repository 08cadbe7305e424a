// vlan.test.ts: skb_vlan_push / skb_vlan_pop against the kernel's vlan_proto runs (metadata
// packed as the program packs it), then double tags, promotion to out-of-band, and errors.
import { describe, expect, it } from 'vitest';
import { BPF_FUNC_skb_vlan_pop as POP, BPF_FUNC_skb_vlan_push as PUSH } from '../../../src/bpf/helpers/vlan.js';
import { ETH_P_8021AD, ETH_P_8021Q, ETH_P_IP } from '../../../src/bpf/skb/constants.js';
import type { Skb } from '../../../src/bpf/skb/skb.js';
import { HelperBench, cbOut, kernelRuns, type KernelRun } from './harness.js';

const be16 = (v: number): number => ((v & 0xff) << 8) | (v >>> 8);

/** PACKED_VLAN(skb) of bpf/vlan_proto.c: present<<31 | (be16 proto read as u32)<<16 | tci. */
function packed(skb: Skb): number {
  return ((skb.vlanPresent ? 1 << 31 : 0) | (be16(skb.vlanProto) << 16) | skb.vlanTci) >>> 0;
}

describe('kernel fixture vlan_proto', () => {
  it.each(kernelRuns('vlan_proto', 'vlan_push2'))('vlan_push2 $data_in', (run: KernelRun) => {
    const t = new HelperBench(run.data_in);
    const cb = [];
    cb[0] = t.callU32(PUSH, be16(ETH_P_8021Q), 100);
    cb[1] = packed(t.skb);
    cb[2] = t.callU32(PUSH, be16(ETH_P_8021AD), 200);
    cb[3] = packed(t.skb);
    cb[4] = t.callU32(PUSH, be16(ETH_P_IP), 1);
    for (let i = 0; i < 5; i++) expect(cb[i]).toBe(cbOut(run, i));
    expect(t.data).toBe(run.data_out);
    // the third push (bad proto) became 802.1Q out-of-band
    expect(packed(t.skb)).toBe(0x80810001);
    expect(t.skb.protocol).toBe(ETH_P_8021AD);
    expect(t.skb.macLen).toBe(22);
  });

  it.each(kernelRuns('vlan_proto', 'vlan_pop'))('vlan_pop $data_in', (run: KernelRun) => {
    const t = new HelperBench(run.data_in);
    const cb = [];
    cb[0] = packed(t.skb);
    cb[1] = t.callU32(POP);
    cb[2] = packed(t.skb);
    cb[3] = t.skb.len;
    cb[4] = be16(t.skb.protocol);
    for (let i = 0; i < 5; i++) expect(cb[i]).toBe(cbOut(run, i));
    expect(t.data).toBe(run.data_out);
  });
});

const QINQ =
  '02000000000202000000000188a800c88100006408004500002112344000401114960a0000010a00000214e90035000d86cb7175657279';

describe('skb_vlan_pop', () => {
  it('pops the outer in-frame tag and promotes the inner one to out-of-band', () => {
    const t = new HelperBench(QINQ);
    expect(t.skb.protocol).toBe(ETH_P_8021AD);
    expect(t.call(POP)).toBe(0n);
    expect(t.skb.vlanPresent).toBe(true);
    expect(t.skb.vlanProto).toBe(ETH_P_8021Q);
    expect(t.skb.vlanTci).toBe(100);
    expect(t.skb.protocol).toBe(ETH_P_IP);
    expect(t.data).toBe(QINQ.slice(0, 24) + QINQ.slice(40));
    expect(t.skb.networkHeader - t.skb.data).toBe(14);
    expect(t.skb.macLen).toBe(14);
    // the out-of-band tag goes next, the frame is unchanged
    expect(t.call(POP)).toBe(0n);
    expect(t.skb.vlanPresent).toBe(false);
    expect(t.call(POP)).toBe(0n);
  });

  it('-ENOMEM when a tagged frame is shorter than VLAN_ETH_HLEN; -EINVAL when data is not at the MAC header', () => {
    const t = new HelperBench('0200000000020200000000018100006408004500002112344000401114960a0000010a000002');
    t.skb.trim(16);
    expect(t.call(POP)).toBe(-12n);
    const u = new HelperBench(QINQ);
    u.skb.macHeader -= 2;
    expect(u.call(POP)).toBe(-22n);
  });
});

describe('skb_vlan_push', () => {
  it('inserts an existing out-of-band tag into the frame when headroom is short', () => {
    const t = new HelperBench('02000000000202000000000108004500002112344000401114960a0000010a000002');
    const s = t.skb;
    s.vlanPresent = true;
    s.vlanProto = ETH_P_8021Q;
    s.vlanTci = 0xe07b;
    const len = s.len;
    s.buf.copyWithin(0, s.data, s.tail);
    s.setData(0, len);
    s.macHeader = 0;
    s.networkHeader = 14;
    expect(t.call(PUSH, be16(ETH_P_8021Q), 5)).toBe(0n);
    expect(t.data).toBe('020000000002020000000001' + '8100e07b' + '08004500002112344000401114960a0000010a000002');
    expect(s.vlanTci).toBe(5);
  });
});
