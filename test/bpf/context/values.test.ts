// values.test.ts: what each accepted __sk_buff load returns under the kernel's test run (narrow
// and sign-extending reads included), pointers and the socket, and what stores do.
import { describe, expect, it } from 'vitest';
import { bindSkb } from '../../../src/bpf/context/bind.js';
import { SkBuffContext } from '../../../src/bpf/context/sk-buff-ctx.js';
import { skbFromTestRun, testRunOutput } from '../../../src/bpf/context/test-run.js';
import { Memory, TAG_CTX } from '../../../src/bpf/memory.js';
import { fixture, hex, toHex, vethLookup, type Meta } from './fixtures.js';

interface Load {
  frame: string;
  kind: 'load' | 'loadsx';
  off: number;
  size: number;
  value: string;
}
interface Store {
  name: string;
  retval?: number;
  ctx_out?: string;
  errno?: string;
}
type Values = Meta & {
  frames: Record<string, { data_in: string; ctx_in: string | null }>;
  pointer_frames: Record<string, string>;
  loads: Load[];
  pointer: Record<string, Record<string, number>>;
  stores: Store[];
};
const rec = fixture<Values>('values.json');
const device = vethLookup(rec);

function contextFor(data: Uint8Array, ctxIn: Uint8Array | null): SkBuffContext {
  const memory = new Memory();
  const skb = skbFromTestRun(data, ctxIn, { device });
  const ctx = new SkBuffContext(memory, skb);
  bindSkb(ctx);
  return ctx;
}

function read64(ctx: SkBuffContext, off: number, size: number, signed = false): bigint {
  const regs = new Int32Array(22);
  ctx.load(off, size, regs, 0, 0, signed);
  return (BigInt(regs[1] >>> 0) << 32n) | BigInt(regs[0] >>> 0);
}

describe('__sk_buff load values (kernel-recorded)', () => {
  for (const [name, frame] of Object.entries(rec.frames)) {
    it(`${name}: every accepted load returns the kernel's 64-bit value`, () => {
      const ctx = contextFor(hex(frame.data_in), frame.ctx_in === null ? null : hex(frame.ctx_in));
      const wrong: string[] = [];
      for (const l of rec.loads.filter((x) => x.frame === name)) {
        const got = read64(ctx, l.off, l.size, l.kind === 'loadsx').toString(16).padStart(16, '0');
        if (got !== l.value) wrong.push(`${l.kind} ${l.off}/${l.size}: kernel ${l.value}, sim ${got}`);
      }
      expect(wrong).toEqual([]);
    });
  }
});

describe('pointers and the socket (kernel-recorded)', () => {
  for (const [fname, data] of Object.entries(rec.pointer_frames)) {
    it(`${fname}: data_end - data, data - data_meta, sk and bpf_sock fields`, () => {
      const ctx = contextFor(hex(data), null);
      const regs = new Int32Array(22);
      const ld = (off: number, size: number): [number, number] => {
        ctx.load(off, size, regs, 3, 0);
        return [regs[6], regs[7]];
      };
      const [dLo, dHi] = ld(76, 4);
      const [eLo, eHi] = ld(80, 4);
      const [mLo, mHi] = ld(140, 4);
      expect(dHi).toBe(ctx.memory.packetTag);
      expect(eHi).toBe(dHi);
      expect(mHi).toBe(dHi);
      expect(eLo - dLo).toBe(rec.pointer.data_end_minus_data[fname]);
      expect(dLo - mLo).toBe(rec.pointer.data_minus_data_meta[fname]);
      expect(ctx.memory.regions[dHi].size).toBe(eLo);
      const [skLo, skHi] = ld(168, 8);
      expect(skHi !== 0 || skLo !== 0 ? 0 : 1).toBe(rec.pointer.sk_is_null[fname]);
      const sock = ctx.memory.regions[skHi].ctx!;
      const sockField = (off: number): number => {
        sock.load(off, 4, regs, 4, 0);
        return regs[8] >>> 0;
      };
      expect(sockField(4)).toBe(rec.pointer.sk_family[fname]);
      expect(sockField(24)).toBe(rec.pointer.sk_src_ip4[fname]);
      expect(sockField(52)).toBe(rec.pointer.sk_dst_ip4[fname]);
      expect(sockField(44)).toBe(rec.pointer.sk_src_port[fname]);
      expect(sockField(48)).toBe(rec.pointer.sk_dst_port[fname]);
      expect(sockField(72)).toBe(rec.pointer.sk_state[fname]);
      expect(sockField(0)).toBe(rec.pointer.sk_bound_dev_if[fname]);
      expect(() => sock.load(8, 4, regs, 4, 0)).toThrow(/bpf_sock\.type/);
    });
  }

  it('binds the ctx at TAG_CTX and returns r1 = (TAG_CTX, 0)', () => {
    const memory = new Memory();
    const skb = skbFromTestRun(hex(rec.pointer_frames.ipv4));
    const ctx = new SkBuffContext(memory, skb);
    const r1 = bindSkb(ctx);
    expect(r1).toEqual({ hi: TAG_CTX, lo: 0 });
    expect(memory.regions[TAG_CTX]).toBe(ctx.region);
    expect(memory.regions[memory.packetTag]).toBe(skb.region);
    const sockTag = ctx.sockTag;
    bindSkb(ctx);
    expect(ctx.sockTag).toBe(sockTag); // one socket region per context
  });

  it('sk reads NULL when the skb carries no socket', () => {
    const ctx = contextFor(hex(rec.pointer_frames.ipv4), null);
    ctx.skb.sk = null;
    bindSkb(ctx);
    expect(read64(ctx, 168, 8)).toBe(0n);
  });
});

describe('__sk_buff stores (kernel-recorded)', () => {
  const FIELD: Record<string, number> = { tc_index: 44, tc_classid: 72, queue_mapping: 12, mark: 8, priority: 32 };
  const ipv4 = hex(rec.pointer_frames.ipv4);

  for (const s of rec.stores) {
    const m = /^(stx|st) (\w+) = (-?0x[0-9a-f]+)$/.exec(s.name);
    if (m === null) continue;
    it(`${s.name} then read back gives ${s.retval}`, () => {
      const ctx = contextFor(ipv4, new Uint8Array(192));
      const v = BigInt(m[3].startsWith('-') ? -BigInt(m[3].slice(1)) : BigInt(m[3]));
      const u = BigInt.asUintN(64, v);
      const lo = Number(u & 0xffffffffn) | 0;
      const hi = Number(u >> 32n) | 0;
      ctx.store(FIELD[m[2]], 4, lo, hi, 0, m[1] === 'st');
      expect(Number(read64(ctx, FIELD[m[2]], 4))).toBe(s.retval);
    });
  }

  function find(name: string): Store {
    const s = rec.stores.find((x) => x.name === name);
    if (s === undefined) throw new Error(`no recorded case ${name}`);
    return s;
  }

  it('tstamp stores (register and sign-extended immediate) land in ctx_out', () => {
    for (const [name, lo, hi] of [
      ['stx tstamp', 0x55667788, 0x11223344],
      ['st tstamp = -2', -2, -1],
    ] as const) {
      const ctxIn = new Uint8Array(192);
      const ctx = contextFor(ipv4, ctxIn);
      ctx.store(152, 8, lo, hi, 0, name.startsWith('st '));
      expect(toHex(testRunOutput(ctx.skb, ctxIn).ctxOut)).toBe(find(name).ctx_out);
    }
  });

  it('cb stores of 1, 2 and 8 bytes', () => {
    const ctxIn = new Uint8Array(192);
    ctxIn.set([0x55, 0x55, 0x55, 0x55], 64);
    const ctx = contextFor(ipv4, ctxIn);
    ctx.store(49, 1, 0xab, 0, 0);
    ctx.store(54, 2, 0xcdef, 0, 0);
    ctx.store(56, 8, 0x05060708, 0x01020304, 0);
    expect(toHex(testRunOutput(ctx.skb, ctxIn).ctxOut)).toBe(find('stx cb bytes').ctx_out);
  });

  it('ctx_out carries mark and priority but not tc_index, tc_classid or queue_mapping', () => {
    const ctxIn = hex(rec.rich_ctx_in);
    const ctx = contextFor(ipv4, ctxIn);
    for (const off of [8, 32, 44, 72]) ctx.store(off, 4, 0xa1a2a3a4 | 0, 0, 0);
    ctx.store(12, 4, 3, 0, 0);
    expect(toHex(testRunOutput(ctx.skb, ctxIn).ctxOut)).toBe(find('stores kept in ctx_out').ctx_out);
  });
});
