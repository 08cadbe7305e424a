import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../src/scenario/parse.js';

const ok = `
name: two namespaces
seed: 7
namespaces:
  init:
    devices:
      eth0: { kind: wire, addresses: [10.0.0.1/24] }
      veth0: { kind: veth, peer: pod/eth0 }
  pod:
    routes:
      - { dst: default, via: 10.0.1.1, dev: eth0 }
objects:
  counter: bpf/flow_counter.o
programs:
  count: { object: counter, prog: count_flows }
  drop: { asm: "r0 = 2\\nexit" }
steps:
  - tcx: { dev: init/eth0, hook: ingress, prog: count, anchor: head }
  - link: { name: l1, dev: init/eth0, hook: ingress, prog: drop, anchor: { after: count } }
    expect: ok
traffic:
  - { port: init/eth0, packets: [{ ipv4: { src: 10.0.0.2, dst: 10.0.0.1 }, udp: { sport: 1, dport: 2 }, count: 3 }] }
expect:
  - { order: { dev: init/eth0, hook: ingress, progs: [count, drop], revision: 3 } }
`;

describe('scenario parser', () => {
  it('accepts a well-formed scenario', () => {
    const s = parseScenarioText(ok, 'ok.yaml');
    expect(s.seed).toBe(7);
    expect(Object.keys(s.programs ?? {})).toEqual(['count', 'drop']);
  });

  it('names file:line:col and the path of an unknown key', () => {
    const bad = ok.replace('seed: 7', 'sed: 7');
    expect(() => parseScenarioText(bad, 'bad.yaml')).toThrow(/bad\.yaml:3:1: unknown key "sed"/);
  });

  it('points at a wrong type deep inside', () => {
    const bad = ok.replace('count: 3', 'count: three');
    expect(() => parseScenarioText(bad, 'x.yaml')).toThrow(/x\.yaml:\d+:\d+: traffic\[0\]/);
  });

  it('reports unknown keys inside nested objects at the key', () => {
    const bad = ok.replace('{ kind: wire, addresses', '{ kind: wire, adresses');
    try {
      parseScenarioText(bad, 'n.yaml');
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toContain('n.yaml:7:27: namespaces.init.devices.eth0: unknown key "adresses"');
    }
  });

  it('reports YAML syntax errors with a position', () => {
    expect(() => parseScenarioText('a: [1, 2\n', 's.yaml')).toThrow(/s\.yaml:\d+:\d+: /);
  });

  it('reports duplicate keys', () => {
    expect(() => parseScenarioText('seed: 1\nseed: 2\n', 'd.yaml')).toThrow(/d\.yaml:2:1: .*[Mm]ap keys must be unique/);
  });
});

describe('scenario positions', () => {
  it('where() gives file:line:col of any part of a parsed scenario', async () => {
    const { parseScenarioSource } = await import('../../src/scenario/parse.js');
    const src = parseScenarioSource(ok, 'ok.yaml');
    expect(src.where(['steps', 1])).toBe('ok.yaml:19:5');
    expect(src.where(['programs', 'drop'])).toBe('ok.yaml:16:9');
    expect(src.where(['traffic', 0, 'packets', 0])).toMatch(/^ok\.yaml:22:\d+$/);
  });
});
