// kernel-perf.test.ts: replays test/fixtures/helpers/truth_perf.json (recorded from the real
// kernel by scripts/record-helper-truth.py): bpf_perf_event_output under test-run with an empty
// array (-ENOENT), index >= max_entries (-E2BIG), bad flags (-EINVAL), ctx_len > skb->len
// (-EFAULT); then with BPF_OUTPUT events on CPU 0 and 1 and a CPU_CLOCK event in the array:
// the CPU 0 event's RAW samples (data, then the packet bytes for BPF_F_CTXLEN_MASK) byte for byte.
import { describe, expect, it } from 'vitest';
import { PerfEventArrayMap, perfRawSample } from '../../../src/bpf/maps/perf-event-array.js';
import { Simulator } from '../../../src/sim/simulator.js';
import { TruthBench, truthFixture } from './truth.js';

interface PerfRun {
  setup: { index: number; cpu: number; config: 'bpf_output' | 'cpu_clock' }[];
  retval: number;
  res: number[];
  samples: { type: number; misc: number; bytes: string }[];
}
const fx = truthFixture<{ data_in: string; cpus: number; runs: PerfRun[] }>('perf');

describe('bpf_perf_event_output against the kernel', () => {
  const bench = new TruthBench('perf', new Simulator({ cpus: fx.cpus }));
  const events = bench.obj.map('events') as PerfEventArrayMap;
  for (const run of fx.runs) {
    it(`with ${run.setup.length} perf events in the array`, () => {
      events.detach();
      for (const s of run.setup) events.attach(s.index, s.cpu, s.config === 'bpf_output');
      events.records.forEach((r) => (r.length = 0));
      const { result, res } = bench.run('perf_out', fx.data_in);
      expect(result.fault?.describe()).toBeUndefined();
      expect(result.retval).toBe(run.retval);
      expect(res.slice(0, run.res.length)).toEqual(run.res);
      const got = events.records[0].map((r) => Buffer.from(perfRawSample(r)).toString('hex'));
      expect(got).toEqual(run.samples.map((s) => s.bytes));
    });
  }
});
