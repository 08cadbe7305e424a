// kernel-mtu.test.ts: replays test/fixtures/helpers/truth_mtu.json (recorded from the real kernel
// by scripts/record-helper-truth.py in a fresh network namespace): bpf_check_mtu under test-run
// on loopback (MTU 65536) — ifindex 0/1/other, len_diff both ways and past int overflow,
// *mtu_len as input, BPF_MTU_CHK_SEGS with and without len_diff, bad flags, and a GSO skb.
import { describe, expect, it } from 'vitest';
import { TruthBench, truthFixture } from './truth.js';

interface MtuRun {
  prog: string;
  ctx_in: string | null;
  retval: number;
  res: number[];
}
const fx = truthFixture<{ data_in: string; runs: MtuRun[] }>('mtu');

describe('bpf_check_mtu against the kernel', () => {
  const bench = new TruthBench('mtu');
  for (const run of fx.runs) {
    it(`${run.prog}: return values and *mtu_len`, () => {
      const { result, res } = bench.run(run.prog, fx.data_in, run.ctx_in);
      expect(result.fault?.describe()).toBeUndefined();
      expect(result.retval).toBe(run.retval);
      const pairs = (r: number[]) => Array.from({ length: 24 }, (_, i) => `case ${i}: ret ${r[2 * i]} mtu ${r[2 * i + 1]}`);
      expect(pairs(res)).toEqual(pairs(run.res));
      expect(res).toEqual(run.res);
    });
  }
});
