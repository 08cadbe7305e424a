// Replays every BPF_PROG_TEST_RUN fixture recorded from the real kernel (test/fixtures/kernel,
// format in bpf/README.md) on tcxsim: same object, same setup, same runs in order; retval,
// data_out, ctx_out and the maps the program writes must match byte for byte.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadObjectFile } from '../../src/bpf/elf/index.js';
import type { BpfMap } from '../../src/bpf/maps/map.js';
import { Simulator } from '../../src/sim/simulator.js';
import { testRun } from '../../src/sim/test-run.js';

interface Fixture {
  object: string;
  cpus: number;
  setup: ({ map: string; key: string; value: string } | { prog_array: string; index: number; prog: string })[];
  runs: {
    prog: string;
    data_in: string;
    ctx_in: string | null;
    retval: number | string;
    data_out: string;
    ctx_out: string | null;
    maps_after: Record<string, ({ key: string; value: string } | { key: string; values: string[] })[]>;
  }[];
}

const dir = 'test/fixtures/kernel';
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));

function dump(map: BpfMap, cpus: number): ({ key: string; value: string } | { key: string; values: string[] })[] {
  const stride = (map.valueSize + 7) & ~7;
  return map
    .entries()
    .map(({ key, value }) =>
      map.percpu
        ? { key: hex(key), values: Array.from({ length: cpus }, (_, c) => hex(value.subarray(c * stride, c * stride + map.valueSize))) }
        : { key: hex(key), value: hex(value) },
    )
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

describe('kernel BPF_PROG_TEST_RUN fixtures', () => {
  for (const file of files) {
    const fx = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as Fixture;
    it(`${file}: ${fx.runs.length} runs of ${fx.object}`, () => {
      const sim = new Simulator({ cpus: fx.cpus });
      const obj = sim.loadObject(loadObjectFile(fx.object));
      for (const s of fx.setup) {
        if ('prog_array' in s) {
          const key = new Uint8Array(4);
          new DataView(key.buffer).setUint32(0, s.index, true);
          const id = new Uint8Array(4);
          new DataView(id.buffer).setUint32(0, obj.program(s.prog).id, true);
          obj.map(s.prog_array).update(key, id);
        } else {
          obj.map(s.map).update(bytes(s.key), bytes(s.value));
        }
      }
      fx.runs.forEach((run, i) => {
        const what = `run ${i} (${run.prog}, data_in ${run.data_in.slice(0, 28)}…)`;
        const res = testRun(sim, obj.program(run.prog), {
          dataIn: bytes(run.data_in),
          ctxIn: run.ctx_in === null ? null : bytes(run.ctx_in),
        });
        expect(res.fault?.describe(), what).toBeUndefined();
        expect(res.retval, `${what}: retval`).toBe(Number(run.retval));
        expect(hex(res.dataOut), `${what}: data_out`).toBe(run.data_out);
        if (run.ctx_out !== null) expect(hex(res.ctxOut), `${what}: ctx_out`).toBe(run.ctx_out);
        for (const [name, entries] of Object.entries(run.maps_after)) {
          expect(dump(obj.map(name), fx.cpus), `${what}: map ${name}`).toEqual(entries);
        }
      });
    });
  }
});
