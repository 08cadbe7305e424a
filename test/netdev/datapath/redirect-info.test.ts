// redirect-info.test.ts: bpf_redirect_info lives in the bpf_net_context (include/linux/filter.h),
// zeroed when a context starts (net_rx_action; sch_handle_egress outside softirq) and cleared
// only by skb_do_redirect (tgt_index, flags). A target recorded by a program that then passed
// is still there for a bare TC_ACT_REDIRECT of another packet in the same net_rx_action, and
// gone in the next one (measured: test/fixtures/datapath/kernel-review-experiments.json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BPF_F_INGRESS, NETDEV_BUDGET } from '../../../src/netdev/datapath/datapath.js';
import { prog, redirect, testFrame, vethPair } from './stubs.js';

const kernel = JSON.parse(readFileSync(new URL('../../fixtures/datapath/kernel-review-experiments.json', import.meta.url), 'utf8'));

/** tcxo0 (la) -> tcxo1 (lb); lc <-> ld; lx <-> ly; lx egress counts what reaches it. */
function net() {
  const v = vethPair();
  const [lc] = v.world.addVeth({ ns: 'init', name: 'lc' }, { ns: 'init', name: 'ld' });
  const [lx] = v.world.addVeth({ ns: 'init', name: 'lx' }, { ns: 'init', name: 'ly' });
  const atTarget: string[] = [];
  v.tcx.set(lx, 'egress', [prog('target', 0, atTarget)]);
  return { ...v, lb: v.tcxo1, lc, lx, atTarget };
}

describe('redirect info across packets (bpf_net_context)', () => {
  it(`survives into another packet of the same net_rx_action: a bare TC_ACT_REDIRECT goes to the recorded target (${kernel.leak_softirq.target_egress_runs} frame at lx egress)`, () => {
    const { dp, tcx, tcxo0, lb, lc, lx, atTarget } = net();
    const bare: string[] = [];
    // lb ingress: clone into lc's receive path (same softirq), record lx, pass
    tcx.set(lb, 'ingress', [prog('leak_set', (skb) => (dp.cloneRedirect(lc.ifindex, BPF_F_INGRESS), redirect(skb, lx.ifindex), 0))]);
    tcx.set(lc, 'ingress', [prog('bare7', 7, bare)]);
    dp.send(tcxo0, testFrame());
    dp.run();
    expect(bare.length).toBe(kernel.leak_softirq.bare7_runs);
    expect(atTarget.length).toBe(kernel.leak_softirq.target_egress_runs);
  });

  it(`is gone in the next net_rx_action: two separate sends, the second bare TC_ACT_REDIRECT is dropped (${kernel.leak_sends.target_egress_runs} at lx)`, () => {
    const { dp, tcx, tcxo0, lb, lx, atTarget } = net();
    let runs = 0;
    tcx.set(lb, 'ingress', [prog('two', (skb) => (++runs === 1 ? (redirect(skb, lx.ifindex), 0) : 7))]);
    for (let i = 0; i < 2; i++) {
      dp.send(tcxo0, testFrame());
      dp.run();
    }
    expect(runs).toBe(kernel.leak_sends.two_runs);
    expect(atTarget.length).toBe(kernel.leak_sends.target_egress_runs);
    expect(dp.accounting.fates.map((f) => f.reason)).toContain('redirect_no_device');
  });

  it('skb_do_redirect clears it: after a redirect, a later bare TC_ACT_REDIRECT in the same softirq has no target', () => {
    const { dp, tcx, tcxo0, lb, lx, atTarget } = net();
    let runs = 0;
    tcx.set(lb, 'ingress', [prog('redir_then_bare', (skb) => (++runs === 1 ? redirect(skb, lx.ifindex) : 7))]);
    dp.send(tcxo0, testFrame());
    dp.send(tcxo0, testFrame()); // both wait in the backlog: one net_rx_action
    dp.run();
    expect(atTarget.length).toBe(1);
    expect(dp.accounting.fates.map((f) => f.reason)).toContain('redirect_no_device');
  });

  it(`a new context starts every ${NETDEV_BUDGET} packets of the backlog (netdev_budget)`, () => {
    const { dp, tcx, tcxo0, lb, lx, atTarget } = net();
    let runs = 0;
    tcx.set(lb, 'ingress', [prog('record_then_bare', (skb) => (++runs === NETDEV_BUDGET ? (redirect(skb, lx.ifindex), 0) : runs > NETDEV_BUDGET ? 7 : 0))]);
    for (let i = 0; i <= NETDEV_BUDGET; i++) dp.send(tcxo0, testFrame());
    dp.run();
    expect(runs).toBe(NETDEV_BUDGET + 1);
    expect(atTarget.length).toBe(0);
  });

  it('a process-context send starts a fresh context at the egress hook', () => {
    const { dp, tcx, tcxo0, lx, atTarget } = net();
    let runs = 0;
    tcx.set(tcxo0, 'egress', [prog('eg', (skb) => (++runs === 1 ? (redirect(skb, lx.ifindex), 0) : 7))]);
    dp.send(tcxo0, testFrame());
    dp.send(tcxo0, testFrame());
    expect(atTarget.length).toBe(0);
  });
});
