// access.test.ts: every (offset, size, load/loadsx/store/store-imm) the 6.18 verifier accepted or
// refused on __sk_buff for SCHED_CLS, replayed against SkBuffContext.
import { describe, expect, it } from 'vitest';
import { SkBuffContext } from '../../../src/bpf/context/sk-buff-ctx.js';
import { BpfFault } from '../../../src/bpf/fault.js';
import { Memory } from '../../../src/bpf/memory.js';
import { skbFromTestRun } from '../../../src/bpf/context/test-run.js';
import { fixture, hex, type Meta } from './fixtures.js';

interface Access {
  kind: 'load' | 'loadsx' | 'store' | 'store_imm';
  off: number;
  size: number;
  ok: boolean;
  log?: string;
}

const rec = fixture<Meta & { access: Access[] }>('access.json');
const values = fixture<{ frames: Record<string, { data_in: string }> }>('values.json');

function attempt(ctx: SkBuffContext, a: Access): BpfFault | null {
  const regs = new Int32Array(22);
  try {
    if (a.kind === 'load' || a.kind === 'loadsx') ctx.load(a.off, a.size, regs, 2, 7, a.kind === 'loadsx');
    else ctx.store(a.off, a.size, 0, 0, 7, a.kind === 'store_imm');
    return null;
  } catch (e) {
    if (e instanceof BpfFault) return e;
    throw e;
  }
}

describe('__sk_buff access rules (kernel-recorded)', () => {
  const skb = skbFromTestRun(hex(values.frames.ipv4_otherhost.data_in));
  const ctx = new SkBuffContext(new Memory(), skb);

  it(`covers ${rec.access.length} recorded accesses`, () => {
    expect(rec.access.length).toBeGreaterThan(1000);
  });

  for (const kind of ['load', 'loadsx', 'store', 'store_imm'] as const) {
    it(`${kind}: accepts exactly what the verifier accepts`, () => {
      const wrong: string[] = [];
      for (const a of rec.access.filter((x) => x.kind === kind)) {
        const f = attempt(ctx, a);
        if ((f === null) !== a.ok) wrong.push(`${a.off}/${a.size}: kernel ${a.ok ? 'ok' : 'refused'}, sim ${f ? f.detail : 'ok'}`);
        if (f !== null) {
          expect(f.kind).toBe('ctx_access');
          expect(f.pc).toBe(7);
        }
      }
      expect(wrong).toEqual([]);
    });
  }

  it('names the field and the program type in the fault', () => {
    const f = attempt(ctx, { kind: 'load', off: 88, size: 4, ok: false });
    expect(f?.detail).toBe('4-byte read of __sk_buff.family (offset 88) is not allowed for tc programs');
    expect(attempt(ctx, { kind: 'store', off: 0, size: 4, ok: false })?.detail).toBe(
      '4-byte write of __sk_buff.len (offset 0) is not allowed for tc programs',
    );
    expect(attempt(ctx, { kind: 'load', off: 76, size: 2, ok: false })?.detail).toMatch(/__sk_buff\.data \(offset 76\).*4-byte load/);
    expect(attempt(ctx, { kind: 'load', off: 56, size: 8, ok: true })).toBeNull();
    expect(attempt(ctx, { kind: 'load', off: 60, size: 8, ok: false })?.detail).toMatch(/cb\[3\]/);
    expect(attempt(ctx, { kind: 'load', off: 200, size: 4, ok: false })?.detail).toMatch(/outside/);
  });
});
