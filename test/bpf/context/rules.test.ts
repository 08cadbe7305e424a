// rules.test.ts: __sk_buff behaviour the test run cannot show: tstamp at ingress, vlan and
// u16-backed fields, napi_id, hash, tstamp_type, pointers after the packet changes.
import { describe, expect, it } from 'vitest';
import { bindSkb, readsTstampType } from '../../../src/bpf/context/bind.js';
import { SkBuffContext } from '../../../src/bpf/context/sk-buff-ctx.js';
import { insn } from '../../../src/bpf/insn.js';
import { Memory } from '../../../src/bpf/memory.js';
import { ETH_P_8021AD, ETH_P_IPV6, MIN_NAPI_ID, SKB_CLOCK_MONOTONIC } from '../../../src/bpf/skb/constants.js';
import { Skb } from '../../../src/bpf/skb/skb.js';

function setup(): { ctx: SkBuffContext; skb: Skb; read: (off: number, size: number) => bigint } {
  const skb = new Skb().load(new Uint8Array(60));
  const ctx = new SkBuffContext(new Memory(), skb);
  bindSkb(ctx);
  const regs = new Int32Array(22);
  const read = (off: number, size: number): bigint => {
    ctx.load(off, size, regs, 1, 0);
    return (BigInt(regs[3] >>> 0) << 32n) | BigInt(regs[2] >>> 0);
  };
  return { ctx, skb, read };
}

describe('tstamp and tstamp_type', () => {
  it('at ingress a delivery time reads 0 unless the program reads tstamp_type', () => {
    const { ctx, skb, read } = setup();
    skb.tstamp = 123456789012n;
    skb.tstampType = SKB_CLOCK_MONOTONIC;
    expect(read(152, 8)).toBe(123456789012n); // egress
    skb.tcAtIngress = true;
    expect(read(152, 8)).toBe(0n);
    ctx.tstampTypeAccess = true;
    expect(read(152, 8)).toBe(123456789012n);
    expect(read(180, 1)).toBe(1n);
  });

  it('a write at ingress clears tstamp_type unless the program reads it', () => {
    const { ctx, skb } = setup();
    skb.tcAtIngress = true;
    skb.tstampType = SKB_CLOCK_MONOTONIC;
    ctx.store(152, 8, 5, 1, 0);
    expect(skb.tstamp).toBe(0x1_0000_0005n);
    expect(skb.tstampType).toBe(0);
    skb.tstampType = SKB_CLOCK_MONOTONIC;
    ctx.tstampTypeAccess = true;
    ctx.store(152, 8, 6, 0, 0);
    expect(skb.tstampType).toBe(SKB_CLOCK_MONOTONIC);
  });

  it('readsTstampType finds a 1-byte load at offset 180', () => {
    expect(readsTstampType([insn(0x71, 2, 1, 180), insn(0x95)])).toBe(true);
    expect(readsTstampType([insn(0x61, 2, 1, 180), insn(0x79, 2, 1, 152), insn(0x95)])).toBe(false);
  });
});

describe('derived fields', () => {
  it('vlan_present/tci/proto: tci in host order, proto as the big-endian u16', () => {
    const { skb, read } = setup();
    expect(read(20, 4)).toBe(0n);
    skb.vlanPresent = true;
    skb.vlanTci = 0x2005;
    skb.vlanProto = ETH_P_8021AD;
    expect([read(20, 4), read(24, 4), read(28, 4)]).toEqual([1n, 0x2005n, 0xa888n]);
    expect(read(25, 1)).toBe(0x20n);
    expect(read(26, 2)).toBe(0x2005n); // u16-backed: a 2-byte read of the upper half returns the field
  });

  it('protocol reads as stored (network order)', () => {
    const { skb, read } = setup();
    skb.protocol = ETH_P_IPV6;
    expect(read(16, 4)).toBe(0xdd86n);
    expect(read(16, 1)).toBe(0x86n);
    expect(read(17, 1)).toBe(0xddn);
    expect(read(18, 1)).toBe(0n);
  });

  it('napi_id below MIN_NAPI_ID reads 0; hash, ifindex and ingress_ifindex pass through', () => {
    const { skb, read } = setup();
    skb.napiId = 5;
    expect(read(84, 4)).toBe(0n);
    skb.napiId = MIN_NAPI_ID;
    expect(read(84, 4)).toBe(BigInt(MIN_NAPI_ID));
    skb.hash = 0xdeadbeef;
    skb.ifindex = 7;
    skb.ingressIfindex = 3;
    expect([read(68, 4), read(40, 4), read(36, 4)]).toEqual([0xdeadbeefn, 7n, 3n]);
  });

  it('data pointers follow the packet generation and the skb offsets', () => {
    const { ctx, skb, read } = setup();
    const tag0 = ctx.memory.packetTag;
    expect(read(76, 4)).toBe((BigInt(tag0) << 32n) | BigInt(skb.data));
    skb.push(4);
    skb.metaLen = 0;
    ctx.memory.replacePacket(skb.region, 'skb_change_head');
    expect(read(76, 4)).toBe((BigInt(ctx.memory.packetTag) << 32n) | BigInt(skb.data));
    expect(read(80, 4) & 0xffffffffn).toBe(BigInt(skb.tail));
    expect(ctx.memory.regions[tag0].invalid).toMatch(/skb_change_head/);
  });

  it('hwtstamp reads the full 64 bits', () => {
    const { skb, read } = setup();
    skb.hwtstamp = 0xfedcba9876543210n;
    expect(read(184, 8)).toBe(0xfedcba9876543210n);
  });
});
