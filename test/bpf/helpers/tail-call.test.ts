// tail-call.test.ts: bpf_tail_call (src/bpf/helpers/tail-call.ts) against the kernel interpreter's
// rules: 1 + 33 runs of a self tail-call, the counter rising after the index check and before the
// slot check, fall-through keeping r0, prog-array updates seen by the next call, cb[] and mark
// surviving. The self-loop is bpf/tail_loop.c in assembly, checked against its recorded runs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_TAIL_CALL_CNT } from '../../../src/bpf/opcodes.js';
import { BPF_MAP_TYPE } from '../../../src/bpf/spec.js';
import { Bench, hex, save, u32le, unhex } from '../trace/harness.js';

const SKB_MARK = 8;
const SKB_CB0 = 48;
const SKB_CB1 = 52;

/** bpf/tail_loop.c self_loop: cb[0] += 1; mark = cb[0]; tail_call(skb, &loop_arr, cb[1]); return -1 - cb[0]. */
const SELF_LOOP = `
    r6 = r1
    w2 = *(u32 *)(r6 + ${SKB_CB0})
    w2 += 1
    *(u32 *)(r6 + ${SKB_CB0}) = w2
    *(u32 *)(r6 + ${SKB_MARK}) = w2
    w3 = *(u32 *)(r6 + ${SKB_CB1})
    r1 = r6
    r2 = map[loop_arr] ll
    call bpf_tail_call
    w1 = *(u32 *)(r6 + ${SKB_CB0})
    w0 = -1
    w0 -= w1
    exit`;

function loopBench(): { b: Bench; p: ReturnType<Bench['prog']> } {
  const b = new Bench();
  const arr = b.map('loop_arr', { type: BPF_MAP_TYPE.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 2 });
  const p = b.prog('self_loop', SELF_LOOP);
  arr.update(u32le(0), u32le(p.id));
  return { b, p };
}

interface Run {
  data_in: string;
  ctx_in: string | null;
  retval: number;
  ctx_out: string;
}
const tailLoop = JSON.parse(readFileSync(new URL('../../fixtures/kernel/tail_loop.json', import.meta.url), 'utf8')) as { runs: Run[] };

describe('bpf_tail_call', () => {
  it('a self tail-call runs 1 + MAX_TAIL_CALL_CNT times, then falls through (tail_loop.json)', () => {
    const { b, p } = loopBench();
    tailLoop.runs.forEach((run, i) => {
      const r = b.run(p, unhex(run.data_in), run.ctx_in === null ? null : unhex(run.ctx_in));
      expect(r.fault, `run ${i}`).toBeUndefined();
      expect(r.retval, `run ${i}`).toBe(run.retval);
      expect(hex(r.ctxOut), `run ${i}`).toBe(run.ctx_out);
    });
    // run 0: cb[0] ends at 34 = 1 + 33
    expect(tailLoop.runs[0].retval).toBe((-1 - (1 + MAX_TAIL_CALL_CNT)) >>> 0);
  });

  it('counts the entry once and each tail-called run once', () => {
    const { b, p } = loopBench();
    b.run(p);
    expect(p.runCount).toBe(1 + MAX_TAIL_CALL_CNT);
    expect(b.sim.vm.tailCallCount).toBe(MAX_TAIL_CALL_CNT);
  });

  const fallThrough = (index: number | string, fill: boolean): { r0: number; count: number } => {
    const b = new Bench();
    const arr = b.map('jmp', { type: BPF_MAP_TYPE.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 });
    const target = b.prog('target', 'r0 = 77\nexit');
    if (fill) arr.update(u32le(1), u32le(target.id));
    const p = b.prog('entry', `
      r0 = 1234
      r2 = map[jmp] ll
      r3 = ${index}
      call bpf_tail_call
      exit`);
    const r = b.run(p);
    expect(r.fault).toBeUndefined();
    return { r0: r.retval, count: b.sim.vm.tailCallCount };
  };

  it('falls through with r0 untouched: empty slot (counted), index >= max_entries (not counted)', () => {
    expect(fallThrough(2, true)).toEqual({ r0: 1234, count: 1 });
    expect(fallThrough(4, true)).toEqual({ r0: 1234, count: 0 });
    expect(fallThrough('0x100000001 ll', true)).toEqual({ r0: 77, count: 1 }); // u32 index: high half ignored
    expect(fallThrough(1, true)).toEqual({ r0: 77, count: 1 });
    expect(fallThrough(1, false)).toEqual({ r0: 1234, count: 1 });
  });

  it('keeps cb[] and mark across the call and sees prog-array updates on the next call', () => {
    const b = new Bench();
    const arr = b.map('jmp', { type: BPF_MAP_TYPE.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 });
    const entry = b.prog('dispatch', `
      r6 = r1
      *(u32 *)(r6 + ${SKB_CB0}) = 0xc0ffee
      *(u32 *)(r6 + ${SKB_MARK}) = 5
      r1 = r6
      r2 = map[jmp] ll
      r3 = 1
      call bpf_tail_call
      r0 = 100
      exit`);
    const a = b.prog('tail_a', `
      w0 = *(u32 *)(r1 + ${SKB_CB0})
      w2 = *(u32 *)(r1 + ${SKB_MARK})
      w0 += w2
      exit`);
    const c = b.prog('tail_c', 'r0 = 3\nexit');
    expect(b.run(entry).retval).toBe(100);
    arr.update(u32le(1), u32le(a.id));
    expect(b.run(entry).retval).toBe(0xc0ffee + 5);
    arr.update(u32le(1), u32le(c.id));
    expect(b.run(entry).retval).toBe(3);
    arr.delete(u32le(1));
    expect(b.run(entry).retval).toBe(100);
  });

  it('a tail call from a subprogram replaces that frame: the target returns to the subprogram\'s caller', () => {
    const b = new Bench();
    const arr = b.map('jmp', { type: BPF_MAP_TYPE.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    const t = b.prog('t', 'r0 = 9\nexit');
    arr.update(u32le(0), u32le(t.id));
    const p = b.prog('entry', `
      call sub
      r0 += 1000
      exit
    sub:
      r2 = map[jmp] ll
      r3 = 0
      call bpf_tail_call
      r0 = 1
      exit`);
    // As with the kernel's JIT (bpf2bpf + tail calls), the target returns to sub's caller.
    expect(b.run(p).retval).toBe(1009);
  });

  it('faults on a map that is not a prog array (the verifier refuses it)', () => {
    const b = new Bench();
    const p = b.prog('bad', `r2 = map[out] ll\nr3 = 0\ncall bpf_tail_call\n${save(0)}\nexit`);
    expect(b.run(p).fault?.detail).toMatch(/not a prog array/);
    expect(b.run(p).fault?.detail).toMatch(/^bpf_tail_call: map .* is not a prog array/);
  });
});
