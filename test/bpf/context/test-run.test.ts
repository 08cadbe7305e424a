// test-run.test.ts: BPF_PROG_TEST_RUN shaping for tc, replayed from the kernel: which data_in /
// ctx_in give which errno, the ctx_out of a run that changes nothing, and eth_type_trans results.
import { describe, expect, it } from 'vitest';
import { skbFromTestRun, testRunOutput, TEST_RUN_MAX_DATA } from '../../../src/bpf/context/test-run.js';
import { SimError } from '../../../src/errors.js';
import { fixture, hex, toHex, vethLookup, type Meta } from './fixtures.js';

interface Case {
  name: string;
  data_in: string;
  ctx_in: string | null;
  ctx_size_out?: number;
  errno?: string;
  retval?: number;
  data_out?: string;
  ctx_out?: string;
}
interface Kind extends Case {
  pkt_type: number;
  protocol_read: number;
}
const rec = fixture<Meta & { cases: Case[]; eth_type_trans: Kind[] }>('testrun.json');
const device = vethLookup(rec);

function run(c: Case): { errno: string } | { dataOut: string; ctxOut: string } {
  const ctxIn = c.ctx_in === null ? null : hex(c.ctx_in);
  try {
    const skb = skbFromTestRun(hex(c.data_in), ctxIn, { device });
    const out = testRunOutput(skb, ctxIn);
    return { dataOut: toHex(out.dataOut), ctxOut: toHex(out.ctxOut) };
  } catch (e) {
    if (e instanceof SimError) return { errno: e.code };
    throw e;
  }
}

describe('BPF_PROG_TEST_RUN for tc (kernel-recorded)', () => {
  for (const c of rec.cases.filter((x) => x.ctx_size_out === undefined)) {
    it(`${c.name}: ${c.errno ?? 'ok'}`, () => {
      const got = run(c);
      if (c.errno !== undefined) {
        expect(got).toEqual({ errno: c.errno });
      } else {
        expect(got).toEqual({ dataOut: c.data_out, ctxOut: c.ctx_out });
      }
    });
  }

  it('the data_in limit is 3712 bytes on x86-64', () => {
    expect(TEST_RUN_MAX_DATA).toBe(3712);
  });

  it('messages say which byte or field is wrong', () => {
    const data = hex(rec.cases[0].data_in);
    const ctx = new Uint8Array(192);
    ctx[17] = 1;
    expect(() => skbFromTestRun(data, ctx)).toThrow(/ctx_in byte 17 is set/);
    expect(() => skbFromTestRun(data.subarray(0, 10))).toThrow(/data_in is 10 bytes/);
  });

  it('without any ctx (no ctx_in, no ctx_out) wire_len stays 0 (values.json "wire_len without any ctx")', () => {
    const values = fixture<{ stores: Array<{ name: string; retval: number }> }>('values.json');
    expect(values.stores.find((s) => s.name === 'wire_len without any ctx')?.retval).toBe(0);
    const skb = skbFromTestRun(hex(rec.cases[0].data_in), null, { ctxOut: false });
    expect(skb.wireLen).toBe(0);
    expect(skbFromTestRun(hex(rec.cases[0].data_in)).wireLen).toBe(skb.len);
  });

  it('reuses an Skb: same buffer, fields reset', () => {
    const first = skbFromTestRun(hex(rec.cases[0].data_in), hex(rec.rich_ctx_in));
    const buf = first.buf;
    const again = skbFromTestRun(hex(rec.cases[0].data_in), null, { skb: first });
    expect(again).toBe(first);
    expect(again.buf).toBe(buf);
    expect(again.mark).toBe(0);
    expect(again.cb.every((b) => b === 0)).toBe(true);
  });
});

describe('eth_type_trans under test run (kernel-recorded)', () => {
  for (const k of rec.eth_type_trans) {
    it(`${k.name}: pkt_type ${k.pkt_type}, protocol reads 0x${k.protocol_read.toString(16)}`, () => {
      const skb = skbFromTestRun(hex(k.data_in), k.ctx_in === null ? null : hex(k.ctx_in), { device });
      expect(skb.pktType).toBe(k.pkt_type);
      expect(((skb.protocol & 0xff) << 8) | (skb.protocol >> 8)).toBe(k.protocol_read);
      expect(skb.data).toBe(skb.macHeader); // SCHED_CLS: data is the Ethernet header again
      expect(skb.networkHeader).toBe(skb.macHeader + 14);
    });
  }
});
