// replay.test.ts: `tcxsim replay`: a capture through a one-device chain, what passes written out,
// an egress chain as a bump in the wire, drops counted, bad input exit 2.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildEthIpv4Udp } from '../../src/packet/index.js';
import { PcapWriter, readAllRecords } from '../../src/pcap/index.js';
import { runCli } from './cli-helpers.js';

const bpf = (f: string): string => join(import.meta.dirname, '../../bpf', f);
const dir = mkdtempSync(join(tmpdir(), 'tcxsim-replay-'));
const input = join(dir, 'in.pcap');
{
  const w = PcapWriter.create(input);
  for (let i = 0; i < 20; i++) w.write(buildEthIpv4Udp({ src: '10.0.0.2', dst: '10.0.0.1', sport: 1000 + (i % 4), dport: 53, payload: i }), 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n);
  w.close();
}

describe('tcxsim replay', () => {
  it('runs the ingress chain in order and writes what passes', async () => {
    const out = join(dir, 'pass.pcap');
    const r = await runCli(['replay', '-r', input, '--dev', 'eth0', '--ingress', `${bpf('attach_order.o')}:app1_monitor,${bpf('attach_order.o')}:legacy`, '-w', out, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ packets: 20, passed: 20, written: 20 });
    expect(j.chains[0].programs.map((p: { verdicts: unknown }) => p.verdicts)).toEqual([{ unspec: 20 }, { ok: 20 }]);
    expect(readAllRecords(out).length).toBe(20);
  });

  it('counts drops and prints the tcpreplay lines', async () => {
    // from_netdev tail-calls into an empty prog array: a missed tail call drops
    const r = await runCli(['replay', '-r', input, '--dev', 'eth0', '--ingress', `${bpf('cilium_pod.o')}:from_netdev`]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/from_netdev \(id \d+\): shot 20/);
    expect(r.out).toMatch(/Passed ingress: 0 of 20/);
    expect(r.out).toMatch(/Dropped 20: tc_ingress/);
    expect(r.out).toMatch(/^Actual: 20 packets \(\d+ bytes\) sent in [\d.]+ seconds$/m);
    expect(r.out.trimEnd().split('\n').at(-1)).toMatch(/^Rated: /);
  });

  it('an egress chain sends passing packets back out; the output is what left the wire', async () => {
    const out = join(dir, 'wire.pcap');
    const r = await runCli(['replay', '-r', input, '--dev', 'eth0', '--egress', `${bpf('flow_stats.o')}:flow_stats`, '-w', out, '--json']);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ packets: 20, wire: 20, written: 20 });
    expect(j.chains[1].programs[0].verdicts).toEqual({ ok: 20 });
  });

  it('bad input exits 2', async () => {
    const bad = join(dir, 'bad.pcap');
    writeFileSync(bad, 'not a capture at all');
    const r = await runCli(['replay', '-r', bad, '--dev', 'eth0', '--ingress', `${bpf('flow_stats.o')}`]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.pcap: offset 0: not a pcap/);
    const m = await runCli(['replay', '-r', input, '--dev', 'eth0', '--ingress', `${bpf('flow_stats.o')}:nope`]);
    expect(m.code).toBe(2);
    expect(m.err).toMatch(/no program nope/);
  });
});

describe('tcxsim replay: what happens to passing packets', () => {
  it('passing packets are taken off after tc ingress (held), not dropped by the stack', async () => {
    const r = await runCli(['replay', '-r', input, '--dev', 'eth0', '--ingress', `${bpf('flow_stats.o')}:flow_stats`, '--json']);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ packets: 20, passed: 20, held: 20, drops: {} });
    const t = await runCli(['replay', '-r', input, '--dev', 'eth0', '--ingress', `${bpf('flow_stats.o')}:flow_stats`]);
    expect(t.out).toMatch(/^Passed ingress: 20 of 20 \(taken off after tc ingress, not handed to the stack\)$/m);
    expect(t.out).not.toMatch(/Dropped/);
  });

  it('with an egress chain, passing packets leave the wire and nothing is dropped', async () => {
    const r = await runCli(['replay', '-r', input, '--dev', 'eth0', '--ingress', `${bpf('flow_stats.o')}:flow_stats`, '--egress', `${bpf('flow_stats.o')}:flow_stats`, '--json']);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ packets: 20, passed: 20, held: 20, wire: 20, drops: {} });
  });
});
