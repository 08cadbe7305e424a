// net.test.ts: `tcxsim net show <scenario>` prints bpftool's net show shapes after the steps.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.js';

const scenarios = join(import.meta.dirname, '../../scenarios');

describe('tcxsim net show', () => {
  it('lists tcx programs with prog and link ids, then cls_bpf filters', async () => {
    const r = await runCli(['net', 'show', join(scenarios, 'attach-order.yaml')]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        'xdp:',
        '',
        'tc:',
        'eth0(2) tcx/ingress app2_policy_v2 prog_id 4',
        'eth0(2) tcx/ingress app1_filter prog_id 2 link_id 2',
        'eth0(2) tcx/ingress app1_monitor_v2 prog_id 6 link_id 1',
        'eth0(2) tcx/ingress app2_audit prog_id 5',
        'eth0(2) clsact/ingress legacy id 7',
        '',
        'flow_dissector:',
        '',
        'netfilter:',
        '',
        '',
      ].join('\n'),
    );
  });

  it('--json, and an empty system without a scenario', async () => {
    const j = JSON.parse((await runCli(['net', 'show', join(scenarios, 'cilium-pod.yaml'), '--json'])).out);
    expect(j[0].tc).toEqual([
      { devname: 'eth0', ifindex: 2, kind: 'tcx/ingress', name: 'from_netdev', prog_id: 1, link_id: 1 },
      { devname: 'lxc0', ifindex: 3, kind: 'tcx/ingress', name: 'from_container', prog_id: 3, link_id: 2 },
    ]);
    expect((await runCli(['net', 'show'])).out).toBe('xdp:\n\ntc:\n\nflow_dissector:\n\nnetfilter:\n\n');
  });
});
