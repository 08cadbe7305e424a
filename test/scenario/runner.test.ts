// runner.test.ts: scenario runs end to end on inline-asm programs: steps with expected errnos,
// inline traffic, verdicts, drops, captures on disk (readable pcaps), report and expectations.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAllRecords } from '../../src/pcap/index.js';
import { runScenarioFile } from '../../src/scenario/runner.js';

const fixture = (n: string): string => join(import.meta.dirname, 'fixtures', n);
const tmp = (): string => mkdtempSync(join(tmpdir(), 'tcxsim-run-'));

describe('scenario runner', () => {
  it('runs the basic scenario: order, ESTALE step, verdicts, drops, captures', async () => {
    const out = tmp();
    const r = await runScenarioFile(fixture('basic.yaml'), { outDir: out });
    const failed = r.report.expectations.filter((e) => !e.ok);
    expect(failed).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(r.report.steps.map((s) => s.result)).toEqual(['ok', 'ok', 'ESTALE']);
    expect(r.report.accounting.balanced).toBe(true);
    const recs = readAllRecords(join(out, 'init-eth0.rx.pcap'));
    expect(recs.length).toBe(5);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).status).toBe('passed');
    expect(existsSync(join(out, 'INCOMPLETE.txt'))).toBe(false);
  });
});
