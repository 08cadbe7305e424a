// example.test.ts: how users test with `tcxsim/testing` (here imported from the source tree; in a
// project: `import { scenario } from 'tcxsim/testing'`). Build a topology, attach in a given
// order, send packets, assert outcomes.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { scenario, scenarioFile } from '../../src/testing/index.js';

const node = {
  namespaces: {
    init: { devices: { eth0: { kind: 'wire' as const, addresses: ['10.0.0.1/24'] } } },
  },
  programs: {
    pass: { asm: 'r0 = 0\nexit' },
    next: { asm: 'r0 = -1\nexit' },
    drop: { asm: 'r0 = 2\nexit' },
  },
};
const udp = { ipv4: { src: '10.0.0.2', dst: '10.0.0.1' }, udp: { sport: 1234, dport: 53 } };

describe('tcxsim/testing', () => {
  it('attach order from two applications: links, BEFORE a link, a stale revision', () => {
    const t = scenario(node);
    expect(t.link('app1', 'eth0', 'ingress', 'next')).toBe('ok'); // revision 2
    expect(t.attach('eth0', 'ingress', 'pass', { anchor: { before: 'link:app1' } })).toBe('ok'); // 3
    expect(t.attach('eth0', 'ingress', 'drop', { expectedRevision: 2 })).toBe('ESTALE');
    expect(t.attach('eth0', 'ingress', 'drop', { expectedRevision: 3, anchor: 'tail' })).toBe('ok');
    expect(t.order('eth0', 'ingress')).toEqual(['pass', 'next', 'drop']);
    expect(t.revision('eth0', 'ingress')).toBe(4);
    // a program attachment cannot detach what a link owns
    expect(t.detach('eth0', 'ingress', 'next')).not.toBe('ok');
  });

  it('packets: verdicts, drops and captures', () => {
    const t = scenario(node);
    t.attach('eth0', 'ingress', 'next');
    t.attach('eth0', 'ingress', 'drop');
    const fates = t.inject('eth0', { ...udp, count: 2 });
    expect(fates.map((f) => f.reason)).toEqual(['tc_ingress', 'tc_ingress']);
    expect(t.verdicts('next')).toEqual({ unspec: 2 });
    expect(t.verdicts('drop')).toEqual({ shot: 2 });
    expect(t.field('eth0', 'rx', 0, 'udp.dport')).toBe(53);
    expect(t.detach('eth0', 'ingress', 'drop')).toBe('ok');
    expect(t.inject('eth0', udp)[0]).toMatchObject({ outcome: 'delivered', where: 'init' });
    expect(t.drops()).toEqual({ tc_ingress: 2 });
    expect(t.report().accounting.balanced).toBe(true);
  });

  it('YAML text works too, and bad input says where', () => {
    const t = scenario(`
namespaces:
  init: { devices: { eth0: { kind: wire } } }
programs:
  drop: { asm: "r0 = 2\\nexit" }
steps:
  - tcx: { dev: eth0, hook: egress, prog: drop }
`);
    expect(t.order('eth0', 'egress')).toEqual(['drop']);
    expect(t.send('eth0', udp)[0]).toMatchObject({ outcome: 'dropped', reason: 'tc_egress' });
    expect(() => scenario('namespaces: { init: { devices: { eth0: { kind: wire, mtu: big } } } }')).toThrow(/test-scenario\.yaml:1:\d+: namespaces\.init\.devices\.eth0\.mtu/);
  });

  it('drives a scenario file: a service SYN is DNATed into the pod by the Cilium-style programs', () => {
    const t = scenarioFile(join(import.meta.dirname, '../../scenarios/cilium-pod.yaml'));
    const syn = { ipv4: { src: '192.168.1.100', dst: '10.96.0.10' }, tcp: { sport: 40000, dport: 80 } };
    expect(t.inject('init/eth0', syn)).toMatchObject([{ outcome: 'delivered', where: 'pod' }]);
    expect(t.field('pod/eth0', 'rx', 0, 'summary')).toBe('IP 192.168.1.100.40000 > 10.0.1.5.8080: tcp 0');
    expect(t.field('pod/eth0', 'rx', 0, 'tcp.checksum_ok')).toBe(true);
    expect(t.map('conntrack').entries().length).toBe(1);
    // a denied source never reaches the pod
    expect(t.inject('init/eth0', { ...syn, ipv4: { src: '192.168.1.200', dst: '10.96.0.10' } })[0]).toMatchObject({ outcome: 'dropped', reason: 'tc_ingress' });
  });
});
