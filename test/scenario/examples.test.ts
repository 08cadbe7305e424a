// examples.test.ts: every example scenario under scenarios/ runs with its expectations, and the
// flow counter's map dump agrees with an independent count over the same capture.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCapture, readAllRecords } from '../../src/pcap/index.js';
import { runScenarioFile } from '../../src/scenario/runner.js';

const dir = join(import.meta.dirname, '../../scenarios');
const examples = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const tmp = (): string => mkdtempSync(join(tmpdir(), 'tcxsim-example-'));

describe('example scenarios', () => {
  it('are all here', () => {
    expect(examples).toEqual(expect.arrayContaining(['attach-order.yaml', 'cilium-pod.yaml', 'flow-counter.yaml']));
  });

  for (const f of examples) {
    it(`${f} passes its expectations`, async () => {
      const r = await runScenarioFile(join(dir, f), { outDir: tmp() });
      const failed = [...r.report.steps.filter((s) => !s.ok), ...r.report.expectations.filter((e) => !e.ok)];
      expect(failed).toEqual([]);
      expect(r.exitCode).toBe(0);
      expect(r.report.accounting.balanced).toBe(true);
      expect(r.report.expectations.length).toBeGreaterThan(0);
    });
  }

  it('cilium-pod: output captures are well-formed pcaps with the rewritten packets', async () => {
    const out = tmp();
    await runScenarioFile(join(dir, 'cilium-pod.yaml'), { outDir: out });
    const tx = readAllRecords(join(out, 'init-eth0.tx.pcap'));
    expect(tx.length).toBe(5);
    const pod = readAllRecords(join(out, 'pod-eth0.rx.pcap'));
    expect(pod.map((r) => Buffer.from(r.data.subarray(30, 34)).toString('hex'))).toEqual(Array(5).fill('0a000105'));
  });

  it('flow-counter: the flow table equals an independent count of the capture', async () => {
    const r = await runScenarioFile(join(dir, 'flow-counter.yaml'), { outDir: null });
    const want = new Map<string, { packets: number; bytes: number }>();
    for (const rec of openCapture(join(dir, '.cache/flows-100k.pcap'))) {
      const d = rec.data;
      // struct flow_key: saddr, daddr (network order), sport, dport (network order), proto, pad[3]
      const key = Buffer.concat([d.subarray(26, 34), d.subarray(34, 38), Buffer.of(d[23]!, 0, 0, 0)]).toString('hex');
      const v = want.get(key) ?? { packets: 0, bytes: 0 };
      v.packets++;
      v.bytes += d.length;
      want.set(key, v);
    }
    const dump = r.report.maps['stats/flows']!.dump;
    expect(dump.length).toBe(want.size);
    const le64 = (b: string[]): number => Number(Buffer.from(b.map((x) => parseInt(x, 16))).readBigUInt64LE(0));
    for (const e of dump) {
      const key = e.key.map((x) => x.slice(2)).join('');
      const v = e.value!;
      expect({ key, packets: le64(v.slice(0, 8)), bytes: le64(v.slice(8, 16)) }).toEqual({ key, ...want.get(key)! });
    }
  });
});
