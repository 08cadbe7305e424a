// classic.test.ts: clsact + cls_bpf: filter order (pref, then newest first within a pref, as
// measured in test/fixtures/datapath/kernel-experiments.json), auto pref/handle, classid mode and
// tc_index, `tc filter show` lines, miniq counters, errors, and the qdisc observer.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TcClassic } from '../../src/tc/classic.js';
import { parseClassid } from '../../src/tc/action.js';
import { prog, testFrame, vethPair } from '../netdev/datapath/stubs.js';

const experiments = JSON.parse(readFileSync(new URL('../fixtures/datapath/kernel-experiments.json', import.meta.url), 'utf8'));

describe('cls_bpf filter order', () => {
  it('same pref: the filter added last runs first and is listed first (kernel measurement)', () => {
    const { dp, tcxo0, tcxo1 } = vethPair();
    dp.classic.addQdisc(tcxo0);
    dp.classic.addFilter(tcxo0, 'ingress', { pref: 10, handle: 1, prog: prog('h1', 2), directAction: true });
    dp.classic.addFilter(tcxo0, 'ingress', { pref: 10, handle: 2, prog: prog('h2', 0), directAction: true });
    for (let i = 0; i < 3; i++) dp.send(tcxo1, testFrame());
    dp.run();
    const drops = dp.classic.qdisc(tcxo0)!.ingress.stats.drops;
    expect(drops).toBe(experiments.same_pref_filters.clsact_drops);
    const handles = dp.classic.qdisc(tcxo0)!.ingress.list().map((f) => `0x${f.handle.toString(16)}`);
    expect(handles).toEqual(experiments.same_pref_filters.show_order.map((o: { handle: string }) => o.handle));
  });
  it('lower pref runs first; auto pref 49152 then one below the lowest; auto handle', () => {
    const { dp, tcxo0, tcxo1 } = vethPair();
    const log: string[] = [];
    dp.classic.addQdisc(tcxo0);
    const a = dp.classic.addFilter(tcxo0, 'ingress', { prog: prog('a', -1, log), directAction: true });
    const b = dp.classic.addFilter(tcxo0, 'ingress', { prog: prog('b', -1, log), directAction: true });
    const c = dp.classic.addFilter(tcxo0, 'ingress', { pref: 60000, prog: prog('c', -1, log), directAction: true });
    expect([a.pref, b.pref, c.pref, a.handle]).toEqual([49152, 49151, 60000, 1]);
    dp.send(tcxo1, testFrame());
    dp.run();
    expect(log).toEqual(['b', 'a', 'c']);
    expect(dp.classic.showFilters(tcxo0, 'ingress')).toEqual([
      'filter protocol all pref 49151 bpf chain 0 ',
      `filter protocol all pref 49151 bpf chain 0 handle 0x1 b direct-action not_in_hw id ${b.prog.id} name b`,
      'filter protocol all pref 49152 bpf chain 0 ',
      `filter protocol all pref 49152 bpf chain 0 handle 0x1 a direct-action not_in_hw id ${a.prog.id} name a`,
      'filter protocol all pref 60000 bpf chain 0 ',
      `filter protocol all pref 60000 bpf chain 0 handle 0x1 c direct-action not_in_hw id ${c.prog.id} name c`,
    ]);
  });
});

describe('non-direct-action filters', () => {
  it('0 = no match, -1 = the filter classid, other = that classid; OK sets tc_index to the minor', () => {
    for (const [r0, want] of [
      [-1, 0x12],
      [0x10005, 5],
    ] as const) {
      const { dp, tcxo0, tcxo1, tcx } = vethPair();
      let tcIndex = -1;
      dp.classic.addQdisc(tcxo0);
      dp.classic.addFilter(tcxo0, 'ingress', { pref: 1, prog: prog('nomatch', 0) });
      dp.classic.addFilter(tcxo0, 'ingress', { pref: 2, prog: prog('cls', r0), classid: parseClassid('1:12') });
      dp.send(tcxo1, testFrame());
      dp.run();
      tcx.set(tcxo1, 'ingress', []);
      void tcIndex;
      expect(dp.accounting.delivered).toBe(1);
      // tc_index is observable by a later hook: read it on the next program
      const { dp: dp2, tcxo0: d0, tcxo1: d1 } = vethPair();
      dp2.classic.addQdisc(d0);
      dp2.classic.addFilter(d0, 'egress', { pref: 2, prog: prog('cls', r0), classid: parseClassid('1:12') });
      dp2.capture = { egress: (_dev, _f, pkt) => (tcIndex = pkt.skb.tcIndex) };
      dp2.send(d0, testFrame());
      expect(tcIndex).toBe(want);
      void d1;
    }
  });
  it('TCX_PASS copies tc_classid into tc_index', () => {
    const { dp, tcxo0, tcx } = vethPair();
    let tcIndex = -1;
    tcx.set(tcxo0, 'egress', [prog('p', (skb) => ((skb.tcClassid = 0x33), 0))]);
    dp.capture = { egress: (_d, _f, pkt) => (tcIndex = pkt.skb.tcIndex) };
    dp.send(tcxo0, testFrame());
    expect(tcIndex).toBe(0x33);
  });
});

describe('qdisc and filter management', () => {
  it('errors, deletes, counters and the observer', () => {
    const events: string[] = [];
    const classic = new TcClassic({ qdiscAdded: (d) => events.push(`+${d.name}`), qdiscRemoved: (d) => events.push(`-${d.name}`) });
    const { tcxo0 } = vethPair();
    const p = prog('x', 0);
    expect(() => classic.addFilter(tcxo0, 'ingress', { prog: p })).toThrow(/EINVAL/);
    classic.addQdisc(tcxo0);
    expect(() => classic.addQdisc(tcxo0)).toThrow(/EEXIST/);
    classic.addFilter(tcxo0, 'ingress', { pref: 5, handle: 3, prog: p });
    expect(() => classic.addFilter(tcxo0, 'ingress', { pref: 5, handle: 3, prog: p })).toThrow(/EEXIST/);
    expect(() => classic.addFilter(tcxo0, 'ingress', { pref: 5, protocol: 0x800, prog: p })).toThrow(/EINVAL/);
    expect(() => classic.delFilter(tcxo0, 'ingress', 6)).toThrow(/ENOENT/);
    expect(classic.delFilter(tcxo0, 'ingress', 5, 3)).toHaveLength(1);
    expect(classic.qdisc(tcxo0)!.ingress.empty).toBe(true);
    classic.delQdisc(tcxo0);
    expect(() => classic.delQdisc(tcxo0)).toThrow(/ENOENT/);
    expect(events).toEqual(['+tcxo0', '-tcxo0']);
  });
  it('miniq counts packets that reach tc_run and classic drops; an empty chain counts nothing', () => {
    const { dp, tcxo0, tcxo1, tcx } = vethPair();
    dp.classic.addQdisc(tcxo0);
    dp.send(tcxo1, testFrame());
    dp.run();
    dp.classic.addFilter(tcxo0, 'ingress', { prog: prog('shot', 2), directAction: true });
    tcx.set(tcxo0, 'ingress', [prog('pass', 0)]);
    dp.send(tcxo1, testFrame()); // tcx PASS: classic skipped
    dp.run();
    tcx.set(tcxo0, 'ingress', []);
    dp.send(tcxo1, testFrame());
    dp.run();
    const s = dp.classic.qdisc(tcxo0)!.ingress.stats;
    expect([s.packets, s.bytes, s.drops]).toEqual([1, 46, 1]);
    expect(dp.classic.showQdisc(tcxo0)[1]).toBe(' Sent 46 bytes 1 pkt (dropped 1, overlimits 0 requeues 0) ');
    expect(dp.accounting.totals()).toMatchObject({ entered: 3, delivered: 2, dropped: 1, inFlight: 0 });
  });
});
