// xmit-down.test.ts: transmit on devices that cannot send, as measured on the kernel
// (test/fixtures/datapath/kernel-review-experiments.json): packet_snd refuses a device that is
// down before any hook; a device without carrier (veth whose peer is down) has the noop qdisc,
// whose noop_enqueue counts tx_dropped and answers NET_XMIT_CN after tc egress ran; and
// __dev_queue_xmit's recursion alert counts tx_dropped.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NET_XMIT_CN, XMIT_RECURSION_LIMIT } from '../../../src/netdev/datapath/datapath.js';
import { DROP_REASONS } from '../../../src/netdev/datapath/drop.js';
import { ERRNO } from '../../../src/errors.js';
import { prog, redirect, testFrame, vethPair } from './stubs.js';

const kernel = JSON.parse(readFileSync(new URL('../../fixtures/datapath/kernel-review-experiments.json', import.meta.url), 'utf8'));
const kernelReasons = new Set<string>(Object.values(DROP_REASONS));

describe('packet_snd on a device that is down', () => {
  it(`fails with ENETDOWN (errno ${ERRNO.ENETDOWN}) before dev_queue_xmit: no egress program runs, tx_dropped stays 0`, () => {
    const { dp, tcx, tcxo0 } = vethPair();
    const log: string[] = [];
    tcx.set(tcxo0, 'egress', [prog('count', 0, log)]);
    tcxo0.up = false;
    expect(kernel.send_down.sendto).toBe(`errno ${ERRNO.ENETDOWN}`);
    expect(dp.send(tcxo0, testFrame())).toBe(-ERRNO.ENETDOWN);
    expect(log.length).toBe(kernel.send_down.program_runs);
    expect(tcxo0.stats.txDropped).toBe(kernel.send_down.tx_dropped);
    expect(dp.accounting.balanced).toBe(true);
  });
});

describe('noop qdisc: a veth whose peer is down has no carrier', () => {
  it(`tc egress runs, then noop_enqueue drops: NET_XMIT_CN (${NET_XMIT_CN}, sendto succeeds), tx_dropped +${kernel.peer_down.tx_dropped}, taps see nothing`, () => {
    const { dp, tcx, tcxo0, tcxo1 } = vethPair();
    const log: string[] = [];
    const taps: string[] = [];
    dp.capture = { egress: (dev) => taps.push(dev.path) };
    tcx.set(tcxo0, 'egress', [prog('count', 0, log)]);
    tcxo1.up = false;
    expect(dp.send(tcxo0, testFrame())).toBe(NET_XMIT_CN);
    expect(log.length).toBe(kernel.peer_down.program_runs);
    expect(tcxo0.stats.txDropped).toBe(kernel.peer_down.tx_dropped);
    expect(tcxo1.stats.rxDropped).toBe(kernel.peer_down.peer_rx_dropped);
    expect(taps).toEqual([]);
    expect(dp.accounting.fates[0]).toMatchObject({ outcome: 'dropped', where: tcxo0.path });
  });

  it('a redirect to a device that is down runs its egress hook, then the noop qdisc drops the packet', () => {
    const { dp, tcx, tcxo0, world } = vethPair();
    const [x0] = world.addVeth({ ns: 'init', name: 'x0' }, { ns: 'init', name: 'x1' });
    x0.up = false;
    const log: string[] = [];
    tcx.set(tcxo0, 'egress', [prog('to_x0', (skb) => redirect(skb, x0.ifindex))]);
    tcx.set(x0, 'egress', [prog('x0_egress', 0, log)]);
    expect(dp.send(tcxo0, testFrame())).toBe(0); // sch_handle_egress: REDIRECT is NET_XMIT_SUCCESS
    expect(log).toEqual(['x0_egress']);
    expect(x0.stats.txDropped).toBe(1);
  });

  it.skipIf(!kernelReasons.has('QDISC_DROP'))(`is reported as the kernel's ${kernel.peer_down.drop_reasons[0]}`, () => {
    const { dp, tcxo0, tcxo1 } = vethPair();
    tcxo1.up = false;
    dp.send(tcxo0, testFrame());
    expect(DROP_REASONS[dp.accounting.fates[0]!.reason!]).toBe(kernel.peer_down.drop_reasons[0]);
  });
});

describe("__dev_queue_xmit's recursion alert", () => {
  /** redirects to its own egress on runs 1..9, passes on run 10 (the hard xmit 9 levels deep) */
  function rec9() {
    const v = vethPair();
    const log: string[] = [];
    v.tcx.set(v.tcxo0, 'egress', [prog('rec9', (skb) => (log.push('run'), log.length <= XMIT_RECURSION_LIMIT + 1 ? redirect(skb, v.tcxo0.ifindex) : 0))]);
    return { ...v, log };
  }

  it(`drops a packet reaching the hard xmit ${XMIT_RECURSION_LIMIT + 1} levels deep and counts tx_dropped +${kernel.recursion.tx_dropped}`, () => {
    const { dp, tcxo0, log } = rec9();
    dp.send(tcxo0, testFrame());
    expect(log.length).toBe(kernel.recursion.program_runs);
    expect(tcxo0.stats.txDropped).toBe(kernel.recursion.tx_dropped);
    expect(dp.accounting.fates).toHaveLength(1);
    expect(dp.accounting.fates[0]).toMatchObject({ outcome: 'dropped', where: tcxo0.path });
  });

  it.skipIf(!kernelReasons.has('RECURSION_LIMIT'))(`is reported as the kernel's ${kernel.recursion.drop_reasons[0]}`, () => {
    const { dp, tcxo0 } = rec9();
    dp.send(tcxo0, testFrame());
    expect(DROP_REASONS[dp.accounting.fates[0]!.reason!]).toBe(kernel.recursion.drop_reasons[0]);
  });
});
