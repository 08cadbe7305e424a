// kernel-printk.test.ts: replays test/fixtures/helpers/truth_printk.json (recorded from the real
// kernel by scripts/record-helper-truth.py): the clang-built truth_printk.o runs in the simulator;
// every bpf_trace_printk return value (the .bss `res` array) and every message after
// "bpf_trace_printk: " must match. Hashed pointers (%p, %pK) are random per boot: both sides
// print 16 hex digits there, compared as <hash>. The line prefix (task, pid, flags, timestamp)
// is simulated and not compared.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadObjectFile } from '../../../src/bpf/elf/index.js';
import { Simulator } from '../../../src/sim/simulator.js';
import { testRun } from '../../../src/sim/test-run.js';
import { s64s } from './truth.js';

interface PrintkRun {
  prog: string;
  retval: number;
  res: number[];
  messages: string[];
}
const DIR = 'test/fixtures/helpers';
const fx = JSON.parse(readFileSync(`${DIR}/truth_printk.json`, 'utf8')) as { data_in: string; runs: PrintkRun[] };
const MARK = 'bpf_trace_printk: ';
const HASHED = /00000000[0-9a-f]{8}/g;
const norm = (m: string): string => m.replace(HASHED, '<hash>');

describe('bpf_trace_printk against the kernel', () => {
  const sim = new Simulator();
  const obj = sim.loadObject(loadObjectFile(`${DIR}/truth_printk.o`));
  for (const run of fx.runs) {
    it(`${run.prog}: return values and messages`, () => {
      obj.map('.bss').update(new Uint8Array(4), new Uint8Array(run.res.length * 8));
      sim.tracePipe.length = 0;
      const res = testRun(sim, obj.program(run.prog), { dataIn: Uint8Array.from(Buffer.from(fx.data_in, 'hex')) });
      expect(res.fault?.describe()).toBeUndefined();
      expect(res.retval).toBe(run.retval);
      expect(s64s(obj.map('.bss').lookup(new Uint8Array(4))!)).toEqual(run.res);
      const msgs = sim.tracePipe.map((l) => l.slice(l.indexOf(MARK) + MARK.length));
      expect(msgs.map(norm)).toEqual(run.messages.map(norm));
    });
  }
  it('hashed pointers print as 16 hex digits, the same value the same way', () => {
    const msgs = fx.runs.find((r) => r.prog === 'printk_errs')!.messages;
    expect(msgs.filter((m) => /00000000[0-9a-f]{8}/.test(m)).length).toBeGreaterThan(0);
  });
});
