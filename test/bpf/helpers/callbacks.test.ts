// callbacks.test.ts: bpf_loop and bpf_for_each_map_elem (src/bpf/helpers/callbacks.ts): callback
// arguments, stopping on a non-zero return, return counts, flag and size errors. The first test is
// bpf/callbacks.c in assembly, checked against its recorded runs (test/fixtures/kernel/callbacks.json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BPF_MAP_TYPE } from '../../../src/bpf/spec.js';
import { Bench, hex, save, u32le, u64le, unhex } from '../trace/harness.js';

/** bpf/callbacks.c: loop(100, loop_step) -> mark, acc -> cb[0..1], for_each(vals, sum_elem) -> cb[2..3], loop flags 1 -> cb[4]. */
const CALLBACKS = `
    r6 = r1
    r1 = 1
    *(u64 *)(r10 - 16) = r1
    w1 = *(u32 *)(r6 + 0)
    *(u32 *)(r10 - 8) = w1
    r1 = 100
    r2 = func[loop_step] ll
    r3 = r10
    r3 += -16
    r4 = 0
    call bpf_loop
    *(u32 *)(r6 + 8) = w0
    r1 = *(u64 *)(r10 - 16)
    *(u32 *)(r6 + 48) = w1
    r1 >>= 32
    *(u32 *)(r6 + 52) = w1
    r1 = 0
    *(u64 *)(r10 - 16) = r1
    r1 = map[vals] ll
    r2 = func[sum_elem] ll
    r3 = r10
    r3 += -16
    r4 = 0
    call bpf_for_each_map_elem
    *(u32 *)(r6 + 56) = w0
    r1 = *(u64 *)(r10 - 16)
    *(u32 *)(r6 + 60) = w1
    r1 = 1
    r2 = func[loop_step] ll
    r3 = r10
    r3 += -16
    r4 = 1
    call bpf_loop
    *(u32 *)(r6 + 64) = w0
    r0 = 0
    exit
loop_step:
    r3 = *(u64 *)(r2 + 0)
    r3 *= 31
    r3 += r1
    w4 = *(u32 *)(r2 + 8)
    r3 += r4
    *(u64 *)(r2 + 0) = r3
    r0 = 0
    if r1 != 6 goto +1
    r0 = 1
    exit
sum_elem:
    r5 = *(u64 *)(r3 + 0)
    w0 = *(u32 *)(r2 + 0)
    r0 += 1
    r0 *= r5
    r1 = *(u64 *)(r4 + 0)
    r1 += r0
    *(u64 *)(r4 + 0) = r1
    r5 += 1
    *(u64 *)(r3 + 0) = r5
    r0 = 0
    exit`;

interface Fixture {
  setup: { map: string; key: string; value: string }[];
  runs: { data_in: string; retval: number; ctx_out: string; maps_after: Record<string, { key: string; value: string }[]> }[];
}
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/kernel/callbacks.json', import.meta.url), 'utf8')) as Fixture;

describe('bpf/callbacks.c in assembly', () => {
  it('matches every recorded run: loop result and acc, for_each count and sum, loop flags -EINVAL', () => {
    const b = new Bench();
    const vals = b.map('vals', { type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 });
    for (const s of fixture.setup) vals.update(unhex(s.key), unhex(s.value));
    const p = b.prog('callbacks', CALLBACKS);
    for (const [i, run] of fixture.runs.entries()) {
      const r = b.run(p, unhex(run.data_in));
      expect(r.fault, `run ${i}`).toBeUndefined();
      expect(r.retval).toBe(run.retval);
      expect(hex(r.ctxOut), `run ${i}`).toBe(run.ctx_out);
      for (const e of run.maps_after.vals) expect(hex(vals.lookup(unhex(e.key))), `run ${i} vals[${e.key}]`).toBe(e.value);
    }
    // run 0 in numbers: 7 iterations, 4 elements, 5*1 + 7*2 + 11*3 + 13*4 = 104, -EINVAL
    const ctx = unhex(fixture.runs[0].ctx_out);
    const dv = new DataView(ctx.buffer);
    expect([dv.getUint32(8, true), dv.getUint32(56, true), dv.getUint32(60, true), dv.getInt32(64, true)]).toEqual([7, 4, 104, -22]);
  });
});

/** loop(n, count_cb, &ctr, flags) where the callback counts calls and stops at `stopAt`. */
function loopProg(n: number | string, flags: number, stopAt: number): string {
  return `
    r1 = 0
    *(u64 *)(r10 - 24) = r1
    r1 = ${n}
    r2 = func[cb] ll
    r3 = r10
    r3 += -24
    r4 = ${flags}
    call bpf_loop
    ${save(0)}
    r0 = *(u64 *)(r10 - 24)
    ${save(1)}
    r0 = 0
    exit
cb:
    r3 = *(u64 *)(r2 + 0)
    r3 += 1
    *(u64 *)(r2 + 0) = r3
    r0 = 0
    if r1 != ${stopAt} goto +1
    r0 = 1
    exit`;
}

describe('bpf_loop', () => {
  const run = (n: number | string, flags: number, stopAt: number): bigint[] => {
    const b = new Bench();
    const r = b.run(b.prog('loop', loopProg(n, flags, stopAt)));
    expect(r.fault).toBeUndefined();
    return b.results(2);
  };
  it('returns the number of iterations: all of them, or up to and including the one returning 1', () => {
    expect(run(10, 0, 99)).toEqual([10n, 10n]);
    expect(run(10, 0, 0)).toEqual([1n, 1n]);
    expect(run(0, 0, 0)).toEqual([0n, 0n]);
  });
  it('refuses flags (-EINVAL, checked first) and more than 1<<23 loops (-E2BIG) without calling back', () => {
    expect(run(5, 1, 99)).toEqual([-22n, 0n]);
    expect(run((1 << 23) + 1, 0, 99)).toEqual([-7n, 0n]);
    expect(run((1 << 23) + 1, 1, 99)).toEqual([-22n, 0n]);
    expect(run(-1, 0, 99)).toEqual([-7n, 0n]); // u32 nr_loops
  });
  it('faults when r2 is not a callback', () => {
    const b = new Bench();
    const r = b.run(b.prog('bad', 'r1 = 1\nr2 = 0\nr3 = 0\nr4 = 0\ncall bpf_loop\nexit'));
    expect(r.fault?.detail).toMatch(/not a callback/);
  });
});

describe('bpf_for_each_map_elem', () => {
  /** Sums key * 1000 + value over the walk, stopping when key == stopKey; count -> out[0], sum -> out[1]. */
  const walk = (map: string, stopKey: number, flags = 0): string => `
    r1 = 0
    *(u64 *)(r10 - 24) = r1
    r1 = map[${map}] ll
    r2 = func[cb] ll
    r3 = r10
    r3 += -24
    r4 = ${flags}
    call bpf_for_each_map_elem
    ${save(0)}
    r0 = *(u64 *)(r10 - 24)
    ${save(1)}
    r0 = 0
    exit
cb:
    w5 = *(u32 *)(r2 + 0)
    r0 = r5
    r0 *= 1000
    r1 = *(u64 *)(r3 + 0)
    r0 += r1
    r1 = *(u64 *)(r4 + 0)
    r1 += r0
    *(u64 *)(r4 + 0) = r1
    r0 = 0
    if r5 != ${stopKey} goto +1
    r0 = 1
    exit`;

  it('walks an array in index order and stops after the callback that returns 1', () => {
    const b = new Bench();
    const arr = b.map('arr', { type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 5 });
    for (let i = 0; i < 5; i++) arr.update(u32le(i), u64le(BigInt(i + 1)));
    b.run(b.prog('w', walk('arr', 2)));
    expect(b.results(2)).toEqual([3n, 0n + 1n + 1000n + 2n + 2000n + 3n]);
  });

  it('walks every hash element with its key and value; flags are -EINVAL', () => {
    const b = new Bench();
    const h = b.map('h', { type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 8, maxEntries: 8 });
    for (const k of [3, 9, 4]) h.update(u32le(k), u64le(BigInt(k * 2)));
    b.run(b.prog('w', walk('h', 99)));
    expect(b.results(2)).toEqual([3n, 16000n + 32n]);
    const c = new Bench();
    c.map('h', { type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 8, maxEntries: 8 });
    c.run(c.prog('w', walk('h', 99, 1)));
    expect(c.results(2)).toEqual([-22n, 0n]);
  });

  it("hands a per-CPU array's callback the current CPU's values", () => {
    const b = new Bench(2);
    const pc = b.map('pc', { type: BPF_MAP_TYPE.PERCPU_ARRAY, keySize: 4, valueSize: 8, maxEntries: 2 });
    const v = new Uint8Array(16);
    v.set(u64le(5n), 0);
    v.set(u64le(500n), 8);
    pc.update(u32le(1), v);
    b.run(b.prog('w', walk('pc', 99)));
    expect(b.results(2)).toEqual([2n, 1000n + 5n]);
  });

  it('gives a read-only key: a callback writing it faults', () => {
    const b = new Bench();
    b.map('arr', { type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 2 });
    const p = b.prog('w', `
      r1 = map[arr] ll
      r2 = func[cb] ll
      r3 = 0
      r4 = 0
      call bpf_for_each_map_elem
      exit
    cb:
      *(u32 *)(r2 + 0) = 1
      r0 = 0
      exit`);
    const r = b.run(p);
    expect(r.fault?.kind).toBe('read_only');
  });

  it('faults on a map type without map_for_each_callback (the verifier refuses it)', () => {
    const b = new Bench();
    b.map('q', { type: BPF_MAP_TYPE.QUEUE, keySize: 0, valueSize: 4, maxEntries: 2 });
    const r = b.run(b.prog('w', walk('q', 99)));
    expect(r.fault?.detail).toMatch(/map_for_each_callback/);
  });
});
