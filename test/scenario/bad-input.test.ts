// bad-input.test.ts: what the runner does with broken input: a truncated capture (byte offset,
// packets before it kept, a note in the output folder), unknown link types, missing object files
// and program names, a failing step without `expect` (named with its line), unknown keys.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PcapWriter } from '../../src/pcap/index.js';
import { buildEthIpv4Udp } from '../../src/packet/index.js';
import { runScenarioFile } from '../../src/scenario/runner.js';

const repo = join(import.meta.dirname, '../..');

function setup(yaml: string, files: Record<string, Uint8Array> = {}): { file: string; out: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tcxsim-bad-'));
  for (const [n, b] of Object.entries(files)) writeFileSync(join(dir, n), b);
  const file = join(dir, 's.yaml');
  writeFileSync(file, yaml);
  return { file, out: join(dir, 'out'), dir };
}

function capture(n: number, linkType = 1): Uint8Array {
  const w = PcapWriter.memory({ linkType });
  for (let i = 0; i < n; i++) w.write(buildEthIpv4Udp({ src: '10.0.0.2', dst: '10.0.0.1', sport: 1000 + i, dport: 53 }), 1_700_000_000_000_000_000n + BigInt(i) * 1000n);
  return w.bytes();
}

const base = (pcap: string, extra = ''): string => `
namespaces:
  init: { devices: { eth0: { kind: wire, addresses: [10.0.0.1/24] } } }
programs:
  pass: { asm: "r0 = 0\\nexit" }
steps:
  - tcx: { dev: eth0, hook: ingress, prog: pass }
traffic:
  - { port: eth0, pcap: ${pcap} }
${extra}`;

describe('bad input', () => {
  it('a truncated capture: byte offset, the packets before it replayed and kept, a note, exit 2', async () => {
    const whole = capture(5);
    const s = setup(base('t.pcap'), { 't.pcap': whole.subarray(0, whole.length - 10) });
    const r = await runScenarioFile(s.file, { outDir: s.out });
    expect(r.exitCode).toBe(2);
    expect(r.report.status).toBe('error');
    expect(r.report.error).toMatch(/s\.yaml:\d+:\d+: .*t\.pcap: offset \d+: .*\(4 packets before it were replayed\)/);
    expect(r.report.traffic.packets).toBe(4);
    expect(readFileSync(join(s.out, 'INCOMPLETE.txt'), 'utf8')).toMatch(/did not finish/);
    expect(JSON.parse(readFileSync(join(s.out, 'report.json'), 'utf8')).status).toBe('error');
    expect(readFileSync(join(s.out, 'init-eth0.rx.pcap')).length).toBeGreaterThan(24);
  });

  it('an unknown link type is refused before anything is written', async () => {
    const s = setup(base('l.pcap'), { 'l.pcap': capture(2, 147) });
    await expect(runScenarioFile(s.file, { outDir: s.out })).rejects.toThrow(/l\.pcap: offset 20: link type 147 .* not supported/);
    expect(existsSync(s.out)).toBe(false);
  });

  it('a missing capture file', async () => {
    const s = setup(base('nope.pcap'));
    await expect(runScenarioFile(s.file, { outDir: s.out })).rejects.toMatchObject({ code: 'ENOENT', message: expect.stringMatching(/s\.yaml:\d+:\d+: .*nope\.pcap/) });
    expect(existsSync(s.out)).toBe(false);
  });

  it('a missing object file and an unknown program name, with their lines', async () => {
    const a = setup(`objects:\n  x: missing.o\n`);
    await expect(runScenarioFile(a.file, { outDir: a.out })).rejects.toMatchObject({ code: 'ENOENT', message: expect.stringMatching(/s\.yaml:2:6: .*missing\.o/) });
    const dir = mkdtempSync(join(tmpdir(), 'tcxsim-bad-'));
    copyFileSync(join(repo, 'bpf/attach_order.o'), join(dir, 'o.o'));
    const file = join(dir, 's.yaml');
    writeFileSync(file, `objects:\n  o: o.o\nprograms:\n  p: { object: o, prog: no_such }\n`);
    await expect(runScenarioFile(file, { outDir: join(dir, 'out') })).rejects.toThrow(/s\.yaml:4:6: .*no program no_such \(have app1_monitor/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('a failing step without `expect` is an error naming the step and its line', async () => {
    const s = setup(base('x.pcap').replace('  - tcx: { dev: eth0, hook: ingress, prog: pass }', '  - tcx: { dev: eth0, hook: ingress, prog: pass }\n  - tcx: { dev: eth0, hook: ingress, prog: pass }'));
    await expect(runScenarioFile(s.file, { outDir: s.out })).rejects.toMatchObject({ code: 'EEXIST', message: expect.stringMatching(/s\.yaml:8:5: step 2 \(tcx attach init\/eth0 ingress pass\) failed/) });
  });

  it('a step with a different `expect` is an expectation failure (exit 1)', async () => {
    const s = setup(base('c.pcap').replace('  - tcx: { dev: eth0, hook: ingress, prog: pass }', '  - tcx: { dev: eth0, hook: ingress, prog: pass }\n    expect: ESTALE'), { 'c.pcap': capture(1) });
    const r = await runScenarioFile(s.file, { outDir: s.out });
    expect(r.exitCode).toBe(1);
    expect(r.report.steps[0]).toMatchObject({ ok: false, result: 'ok', expect: 'ESTALE' });
  });

  it('unknown keys and wrong types are reported with line:col', async () => {
    const s = setup(base('c.pcap', 'expect:\n  - { device: eth0, rx: many }\n'));
    await expect(runScenarioFile(s.file, { outDir: s.out })).rejects.toThrow(/s\.yaml:11:5: expect\[0\]/);
  });

  it('a second run replaces what the first wrote (no stale captures)', async () => {
    const s = setup(base('c.pcap'), { 'c.pcap': capture(2) });
    await runScenarioFile(s.file, { outDir: s.out });
    mkdirSync(s.out, { recursive: true });
    writeFileSync(join(s.out, 'mine.txt'), 'user file');
    writeFileSync(s.file, base('c.pcap', 'captures: none\n'));
    await runScenarioFile(s.file, { outDir: s.out });
    expect(readdirSync(s.out).sort()).toEqual(['mine.txt', 'report.json']);
  });
});
