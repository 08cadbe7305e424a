// meta.test.ts: skb_change_type (kernel vlan_proto change_type runs), skb_set_tstamp and
// skb_ecn_set_ce (CE marking with a valid IPv4 checksum afterwards).
import { describe, expect, it } from 'vitest';
import {
  BPF_FUNC_skb_change_type as TYPE,
  BPF_FUNC_skb_ecn_set_ce as ECN,
  BPF_FUNC_skb_set_tstamp as TSTAMP,
} from '../../../src/bpf/helpers/meta.js';
import { SKB_CLOCK_MONOTONIC, SKB_CLOCK_TAI } from '../../../src/bpf/skb/constants.js';
import { HelperBench, cbOut, ipv4ChecksumsValid, kernelRuns, type KernelRun } from './harness.js';

describe('kernel fixture vlan_proto (change_type)', () => {
  it.each(kernelRuns('vlan_proto', 'change_type'))('change_type $data_in', (run: KernelRun) => {
    const t = new HelperBench(run.data_in);
    const cb = [t.skb.pktType, t.callU32(TYPE, 3), t.skb.pktType, t.callU32(TYPE, 4)];
    for (let i = 0; i < 4; i++) expect(cb[i]).toBe(cbOut(run, i));
  });
});

const UDP4 = '02000000000202000000000108004500002112344000401114960a0000010a00000214e90035000d86cb7175657279';
const UDP6 =
  '02000000000202000000000186dd60000000000c1140fd000000000000000000000000000001fd00000000000000000000000000000203e807d0000c0e8f73697821';
const ARP = '020000000002020000000001080600010800060400010200000000010a0000010000000000000a000002';

describe('skb_set_tstamp', () => {
  it('IPv4/IPv6 only; MONO and TAI need a non-zero time; unknown clocks are -EINVAL', () => {
    expect(new HelperBench(ARP).call(TSTAMP, 5, 0)).toBe(-95n);
    const t = new HelperBench(UDP4);
    expect(t.call(TSTAMP, 0, SKB_CLOCK_MONOTONIC)).toBe(-22n);
    expect(t.call(TSTAMP, 0, SKB_CLOCK_TAI)).toBe(-22n);
    expect(t.call(TSTAMP, 5, 3)).toBe(-22n);
    expect(t.call(TSTAMP, 1234n, SKB_CLOCK_TAI)).toBe(0n);
    expect(t.skb.tstamp).toBe(1234n);
    expect(t.skb.tstampType).toBe(SKB_CLOCK_TAI);
    expect(t.call(TSTAMP, 0, 0)).toBe(0n);
    expect(t.skb.tstampType).toBe(0);
  });
});

function withTos(frame: string, tos: number): HelperBench {
  const t = new HelperBench(frame);
  const b = t.skb.buf;
  const d = t.skb.data;
  // set the ECN bits and fix the checksum from scratch, independently of the helper
  b[d + 15] = tos;
  b[d + 24] = b[d + 25] = 0;
  let s = 0;
  for (let i = 0; i < 20; i += 2) s += (b[d + 14 + i] << 8) | b[d + 15 + i];
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  b[d + 24] = (~s >>> 8) & 0xff;
  b[d + 25] = ~s & 0xff;
  return t;
}

describe('skb_ecn_set_ce', () => {
  it.each([
    [1, 1],
    [2, 1],
    [3, 1],
  ])('IPv4 ECN %i becomes CE with a valid header checksum', (ecn, ret) => {
    const t = withTos(UDP4, 0xb8 | ecn);
    expect(t.call(ECN)).toBe(BigInt(ret));
    expect(t.skb.buf[t.skb.data + 15]).toBe(0xbb);
    expect(ipv4ChecksumsValid(t.skb.bytes()).l3).toBe(true);
  });

  it('leaves Not-ECT packets and non-IP frames alone (returns 0)', () => {
    const t = withTos(UDP4, 0xb8);
    const before = t.data;
    expect(t.call(ECN)).toBe(0n);
    expect(t.data).toBe(before);
    expect(new HelperBench(ARP).call(ECN)).toBe(0n);
  });

  it('IPv6: sets CE in the traffic class when ECT', () => {
    expect(new HelperBench(UDP6).call(ECN)).toBe(0n);
    const t = new HelperBench(UDP6.replace('86dd6000', '86dd6010'));
    expect(t.call(ECN)).toBe(1n);
    expect(t.data.slice(28, 36)).toBe('60300000');
  });
});
