// Reproduces every committed kernel trace (test/fixtures/oracle, recorded on Linux 6.18 by
// scripts/record-oracle-fixtures.sh) from its op file: same steps after parsing, and the same
// bytes apart from the "meta" line.
import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseOpFile } from '../../../src/tcx/oracle/opfile.js';
import { formatTrace } from '../../../src/tcx/oracle/pyjson.js';
import { OpRunner } from '../../../src/tcx/oracle/runner.js';

const dir = new URL('../../fixtures/oracle/', import.meta.url);
const read = (name: string): string => {
  const buf = readFileSync(new URL(name, dir));
  return name.endsWith('.gz') ? gunzipSync(buf).toString('utf8') : buf.toString('utf8');
};
const withoutMeta = (text: string): string => text.split('\n').filter((l) => !l.startsWith(' "meta": ')).join('\n');

function check(opsName: string, traceName: string): number {
  const opsText = read(opsName);
  const kernelText = read(traceName);
  const ours = formatTrace(new OpRunner(parseOpFile(JSON.parse(opsText), opsName)).run({ source: 'tcxsim' }));
  const kernel = JSON.parse(kernelText) as { steps: unknown[] };
  const sim = JSON.parse(ours) as { steps: unknown[] };
  expect(sim.steps.length).toBe(kernel.steps.length);
  for (let i = 0; i < kernel.steps.length; i++) expect(sim.steps[i], `step ${i}`).toEqual(kernel.steps[i]);
  expect(withoutMeta(ours)).toBe(withoutMeta(kernelText));
  return kernel.steps.length;
}

describe('kernel traces (tcx-oracle-trace/1)', () => {
  it('reproduces the hand-written case', () => {
    expect(check('handwritten.ops.json', 'handwritten.trace.json.gz')).toBe(186);
  });

  const seeds = readdirSync(new URL('random/', dir))
    .filter((f) => f.endsWith('.ops.json.gz'))
    .map((f) => f.slice(0, -'.ops.json.gz'.length))
    .sort();

  it('has at least 30 random seeds with at least 300 ops each', () => {
    expect(seeds.length).toBeGreaterThanOrEqual(30);
  });

  for (const seed of seeds) {
    it(`reproduces random ${seed}`, () => {
      expect(check(`random/${seed}.ops.json.gz`, `random/${seed}.trace.json.gz`)).toBeGreaterThanOrEqual(300);
    });
  }
});
