// run.test.ts: `tcxsim run`: summary on stdout ending in tcpreplay's lines, exit codes 0/1/2,
// failing expectations named with their file position, --json, bad input.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.js';

const fixture = join(import.meta.dirname, '../scenario/fixtures/basic.yaml');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'tcxsim-cli-run-'));

describe('tcxsim run', () => {
  it('prints a summary ending with Actual:/Rated: and exits 0', async () => {
    const out = tmp();
    const r = await runCli(['run', fixture, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Expectations: 9\/9 passed/);
    const lines = r.out.trimEnd().split('\n');
    expect(lines.at(-2)).toMatch(/^Actual: 5 packets \(\d+ bytes\) sent in [\d.]+ seconds$/);
    expect(lines.at(-1)).toMatch(/^Rated: [\d.]+ Bps, [\d.]+ Mbps, [\d.]+ pps$/);
    expect(r.err).toMatch(/ran .*basic\.yaml/);
    expect(readdirSync(out).sort()).toEqual(['init-eth0.rx.pcap', 'init-eth0.tx.pcap', 'report.json']);
  });

  it('--json prints the report', async () => {
    const r = await runCli(['run', fixture, '-o', tmp(), '--json']);
    const j = JSON.parse(r.out);
    expect(j.format).toBe('tcxsim-report/1');
    expect(j.verdicts.drop9).toEqual({ ok: 2, shot: 3 });
    expect(j.attachments[0]).toMatchObject({ dev: 'init/eth0', hook: 'ingress', revision: 3 });
  });

  it('exits 1 and names the failing expectation with its line', async () => {
    const dir = tmp();
    const src = (await import('node:fs')).readFileSync(fixture, 'utf8').replace('{ drops: { reason: tc_ingress, count: 3 } }', '{ drops: { reason: tc_ingress, count: 4 } }');
    const f = join(dir, 'fail.yaml');
    writeFileSync(f, src);
    const r = await runCli(['run', f, '-o', join(dir, 'out')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/fail\.yaml:\d+:\d+: expectation failed: drops \(tc_ingress\): 4 — found 3/);
  });

  it('exits 2 on unknown keys (line:col) and writes nothing', async () => {
    const dir = tmp();
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, 'name: x\ntraffic:\n  - { port: eth0, pcap: a.pcap, speed: 3 }\n');
    const r = await runCli(['run', f, '-o', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.yaml:3:\d+: .*traffic\[0\]/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
