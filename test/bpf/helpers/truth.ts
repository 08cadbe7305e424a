// truth.ts: shared reader for the helper-family fixtures recorded by scripts/record-helper-truth.py
// (test/fixtures/helpers/truth_<family>.json): runs a program of the clang-built truth_<family>.o
// in a simulator the way BPF_PROG_TEST_RUN ran it and returns the `res` array (.bss) it filled.
import { readFileSync } from 'node:fs';
import { loadObjectFile } from '../../../src/bpf/elf/index.js';
import type { LoadedObject } from '../../../src/sim/simulator.js';
import { Simulator } from '../../../src/sim/simulator.js';
import { testRun, type TestRunResult } from '../../../src/sim/test-run.js';

export const TRUTH_DIR = 'test/fixtures/helpers';

export function truthFixture<T>(family: string): T {
  return JSON.parse(readFileSync(`${TRUTH_DIR}/truth_${family}.json`, 'utf8')) as T;
}

export function bytes(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h, 'hex'));
}

export function s64s(b: Uint8Array): number[] {
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  return Array.from({ length: b.length / 8 }, (_, i) => Number(v.getBigInt64(i * 8, true)));
}

export class TruthBench {
  readonly sim: Simulator;
  readonly obj: LoadedObject;

  constructor(family: string, sim = new Simulator()) {
    this.sim = sim;
    this.obj = sim.loadObject(loadObjectFile(`${TRUTH_DIR}/truth_${family}.o`));
  }

  /** Clears `res`, runs `prog` on `dataIn` (and ctx_in), returns the result and `res`. */
  run(prog: string, dataIn: string, ctxIn: string | null = null): { result: TestRunResult; res: number[] } {
    const bss = this.obj.map('.bss');
    const zero = new Uint8Array(4);
    bss.update(zero, new Uint8Array(bss.valueSize));
    const result = testRun(this.sim, this.obj.program(prog), { dataIn: bytes(dataIn), ctxIn: ctxIn === null ? null : bytes(ctxIn) });
    return { result, res: s64s(bss.lookup(zero)) };
  }
}
