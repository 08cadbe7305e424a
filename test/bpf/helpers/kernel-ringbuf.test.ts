// kernel-ringbuf.test.ts: replays test/fixtures/helpers/truth_ringbuf.json (recorded from the real
// kernel by scripts/record-helper-truth.py): ringbuf_output / reserve+submit / reserve+discard /
// query results, -EAGAIN and NULL on a full ring, flag errors, and after every run the rings as
// user space maps them (consumer_pos, producer_pos, the data pages: headers with length, BUSY and
// DISCARD bits and pg_off, 8-byte padding, a record wrapping past the end). "consume" steps move
// consumer_pos to producer_pos as a reader would.
import { describe, expect, it } from 'vitest';
import { RingBufMap } from '../../../src/bpf/maps/ringbuf.js';
import { TruthBench, truthFixture } from './truth.js';

interface RingSnap {
  consumer_pos: number;
  producer_pos: number;
  data: string;
}
type Step = { consume: string } | { prog: string; retval: number; res: number[]; rings: Record<string, RingSnap> };
const fx = truthFixture<{ data_in: string; steps: Step[] }>('ringbuf');

describe('ring buffer helpers against the kernel', () => {
  it('every step matches results and ring bytes', () => {
    const bench = new TruthBench('ringbuf');
    bench.sim.events.consumeRingbufs = false;
    const ring = (n: string): RingBufMap => bench.obj.map(n) as RingBufMap;
    fx.steps.forEach((step, i) => {
      if ('consume' in step) {
        ring(step.consume).consumerPos = ring(step.consume).producerPos;
        return;
      }
      const what = `step ${i} ${step.prog}`;
      const { result, res } = bench.run(step.prog, fx.data_in);
      expect(result.fault?.describe(), what).toBeUndefined();
      expect(result.retval, what).toBe(step.retval);
      expect(res.slice(0, step.res.length), `${what}: res`).toEqual(step.res);
      for (const [name, snap] of Object.entries(step.rings)) {
        const r = ring(name);
        const got = { consumer_pos: r.consumerPos, producer_pos: r.producerPos, data: Buffer.from(r.data.subarray(0, r.maxEntries)).toString('hex') };
        expect(got, `${what}: ring ${name}`).toEqual(snap);
      }
    });
  });
});
