// clsact.test.ts: the mini_Qdisc counters tc_run updates (net/core/dev.c tc_run,
// mini_qdisc_bstats_cpu_update): bytes are qdisc_pkt_len(skb), the length fixed when the hook
// started (qdisc_skb_cb->pkt_len, __sk_buff wire_len), not skb->len after earlier programs.
import { describe, expect, it } from 'vitest';
import { prog, testFrame, vethPair } from '../netdev/datapath/stubs.js';

describe('miniq bstats count qdisc_pkt_len', () => {
  it('a tcx program that grows the packet before the classic chain does not change the byte count', () => {
    const { dp, tcx, tcxo0 } = vethPair();
    dp.classic.addQdisc(tcxo0);
    dp.classic.addFilter(tcxo0, 'egress', { prog: prog('classic', 0), directAction: true });
    // TCX_NEXT after adding 40 bytes at the tail (as bpf_skb_change_tail would)
    tcx.set(tcxo0, 'egress', [prog('grow', (skb) => (skb.ensureTailroom(40), skb.put(40), -1))]);
    const frame = testFrame();
    dp.send(tcxo0, frame);
    const stats = dp.classic.qdisc(tcxo0)!.egress.stats;
    expect(stats.packets).toBe(1);
    expect(stats.bytes).toBe(frame.length);
  });

  it('at ingress: the length after the MAC header was pulled, at hook start', () => {
    const { dp, tcx, tcxo0, tcxo1 } = vethPair();
    dp.classic.addQdisc(tcxo0);
    dp.classic.addFilter(tcxo0, 'ingress', { prog: prog('classic', 0), directAction: true });
    tcx.set(tcxo0, 'ingress', [prog('grow', (skb) => (skb.ensureTailroom(40), skb.put(40), -1))]);
    const frame = testFrame();
    dp.send(tcxo1, frame);
    dp.run();
    expect(dp.classic.qdisc(tcxo0)!.ingress.stats.bytes).toBe(frame.length - 14);
  });
});
