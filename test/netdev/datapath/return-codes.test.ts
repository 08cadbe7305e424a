// return-codes.test.ts: the tables of ../shared/spec/datapath-findings.md (measured on Linux
// 6.18 with a veth pair and AF_PACKET sockets), replayed row by row with JS stub programs.
import { describe, expect, it } from 'vitest';
import { prog, testFrame, vethPair, redirect } from './stubs.js';
import type { Hook } from '../../../src/netdev/datapath/hooks.js';

// hook | r0 set by X | continues to Y | delivered (a) | delivered (b) | programs run in (c) | delivered (c) | sendto (a)
const RETURN_CODE_TABLE = `
ingress | -1 | yes | yes | yes | X -> Y -> cls_bpf | yes | ok
ingress | 0 | no | yes | yes | X | yes | ok
ingress | 1 | no | yes | yes | X -> cls_bpf | yes | ok
ingress | 2 | no | no | no | X | no | ok
ingress | 3 | no | yes | yes | X -> cls_bpf | yes | ok
ingress | 4 | no | yes | yes | X -> cls_bpf | yes | ok
ingress | 5 | no | yes | yes | X -> cls_bpf | yes | ok
ingress | 6 | no | yes | yes | X -> cls_bpf | yes | ok
ingress | 7 | no | no | no | X | no | ok
ingress | 8 | no | yes | yes | X -> cls_bpf | yes | ok
ingress | 100 | no | yes | yes | X -> cls_bpf | yes | ok
ingress | -2 | no | yes | yes | X -> cls_bpf | yes | ok
ingress | 0x7fffffff | no | yes | yes | X -> cls_bpf | yes | ok
ingress | -0x80000000 | no | yes | yes | X -> cls_bpf | yes | ok
ingress | 0x100000000 | no | yes | yes | X | yes | ok
ingress | 0x100000002 | no | no | no | X | no | ok
ingress | 0x1ffffffff | yes | yes | yes | X -> Y -> cls_bpf | yes | ok
egress | -1 | yes | yes | yes | X -> Y -> cls_bpf | yes | ok
egress | 0 | no | yes | yes | X | yes | ok
egress | 1 | no | yes | yes | X -> cls_bpf | yes | ok
egress | 2 | no | no | no | X | no | ENOBUFS
egress | 3 | no | yes | yes | X -> cls_bpf | yes | ok
egress | 4 | no | yes | yes | X -> cls_bpf | yes | ok
egress | 5 | no | yes | yes | X -> cls_bpf | yes | ok
egress | 6 | no | yes | yes | X -> cls_bpf | yes | ok
egress | 7 | no | no | no | X | no | ok
egress | 8 | no | yes | yes | X -> cls_bpf | yes | ok
egress | 100 | no | yes | yes | X -> cls_bpf | yes | ok
egress | -2 | no | yes | yes | X -> cls_bpf | yes | ok
egress | 0x7fffffff | no | yes | yes | X -> cls_bpf | yes | ok
egress | -0x80000000 | no | yes | yes | X -> cls_bpf | yes | ok
egress | 0x100000000 | no | yes | yes | X | yes | ok
egress | 0x100000002 | no | no | no | X | no | ENOBUFS
egress | 0x1ffffffff | yes | yes | yes | X -> Y -> cls_bpf | yes | ok
`;

// hook | tcx chain | cls_bpf verdict | programs run | delivered
const CHAIN_PLUS_CLSACT_TABLE = `
ingress | - | 0 | cls_bpf | yes
ingress | A:-1 | 0 | A -> cls_bpf | yes
ingress | A:0 | 0 | A | yes
ingress | A:2 | 0 | A | no
ingress | A:-1,Y:-1 | 0 | A -> Y -> cls_bpf | yes
ingress | A:-1 | 2 | A -> cls_bpf | no
ingress | A:-1 | -1 | A -> cls_bpf | yes
ingress | A:0 | 2 | A | yes
egress | - | 0 | cls_bpf | yes
egress | A:-1 | 0 | A -> cls_bpf | yes
egress | A:0 | 0 | A | yes
egress | A:2 | 0 | A | no
egress | A:-1,Y:-1 | 0 | A -> Y -> cls_bpf | yes
egress | A:-1 | 2 | A -> cls_bpf | no
egress | A:-1 | -1 | A -> cls_bpf | yes
egress | A:0 | 2 | A | yes
`;

function rows(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .map((l) => l.split('|').map((c) => c.trim()));
}

function parseR0(s: string): bigint {
  return s.startsWith('-') ? -BigInt(s.slice(1)) : BigInt(s);
}

/** Sends the test frame through tcxo0's hook (ingress: from tcxo1; egress: out of tcxo0). */
function fire(hook: Hook, setup: (env: ReturnType<typeof vethPair>) => void) {
  const env = vethPair();
  setup(env);
  const { dp, tcxo0, tcxo1 } = env;
  const rc = hook === 'ingress' ? dp.send(tcxo1, testFrame()) : dp.send(tcxo0, testFrame());
  dp.run();
  expect(dp.accounting.balanced).toBe(true);
  return { delivered: dp.accounting.delivered === 1, rc, acc: dp.accounting };
}

describe('tcx return codes (datapath-findings.md, "Return value of a tcx program")', () => {
  for (const [hook, r0s, cont, delA, delB, ranC, delC, sendto] of rows(RETURN_CODE_TABLE)) {
    const h = hook as Hook;
    const r0 = parseR0(r0s!);
    it(`${hook} r0=${r0s}`, () => {
      // (a) chain [X]
      const a = fire(h, ({ tcx, tcxo0 }) => tcx.set(tcxo0, h, [prog('X', r0)]));
      expect(a.delivered ? 'yes' : 'no').toBe(delA);
      if (h === 'egress') expect(a.rc === 1 ? 'ENOBUFS' : 'ok').toBe(sendto); // NET_XMIT_DROP -> ENOBUFS
      // (b) chain [X, Y(next)]
      const logB: string[] = [];
      const b = fire(h, ({ tcx, tcxo0 }) => tcx.set(tcxo0, h, [prog('X', r0, logB), prog('Y', -1, logB)]));
      expect(b.delivered ? 'yes' : 'no').toBe(delB);
      expect(logB.includes('Y') ? 'yes' : 'no').toBe(cont);
      // (c) [X, Y] plus clsact + cls_bpf da returning TC_ACT_OK
      const logC: string[] = [];
      const c = fire(h, ({ tcx, tcxo0, dp }) => {
        tcx.set(tcxo0, h, [prog('X', r0, logC), prog('Y', -1, logC)]);
        dp.classic.addQdisc(tcxo0);
        dp.classic.addFilter(tcxo0, h, { prog: prog('cls_bpf', 0, logC), directAction: true });
      });
      expect(logC.join(' -> ')).toBe(ranC);
      expect(c.delivered ? 'yes' : 'no').toBe(delC);
      if (delA === 'no') {
        const reason = a.acc.fates[0]!.reason;
        expect(reason).toBe(r0s === '7' ? 'redirect_no_device' : h === 'ingress' ? 'tc_ingress' : 'tc_egress');
      }
    });
  }
});

describe('tcx chain + clsact/cls_bpf on the same device (datapath-findings.md)', () => {
  for (const [hook, chain, cls, ran, delivered] of rows(CHAIN_PLUS_CLSACT_TABLE)) {
    it(`${hook} [${chain}] + cls_bpf(${cls})`, () => {
      const h = hook as Hook;
      const log: string[] = [];
      const res = fire(h, ({ tcx, tcxo0, dp }) => {
        if (chain !== '-') tcx.set(tcxo0, h, chain!.split(',').map((p) => prog(p.split(':')[0]!, Number(p.split(':')[1]), log)));
        dp.classic.addQdisc(tcxo0);
        dp.classic.addFilter(tcxo0, h, { prog: prog('cls_bpf', Number(cls), log), directAction: true });
      });
      expect(log.join(' -> ')).toBe(ran);
      expect(res.delivered ? 'yes' : 'no').toBe(delivered);
    });
  }
});

describe('TCX_REDIRECT with a real target (datapath-findings.md)', () => {
  it('ingress redirect to tcxo0 egress is seen on tcxo1', () => {
    const seen: string[] = [];
    const env = vethPair();
    const { dp, tcx, tcxo0, tcxo1 } = env;
    dp.capture = { ingress: (dev) => seen.push(dev.name) };
    tcx.set(tcxo0, 'ingress', [prog('R', (skb) => redirect(skb, tcxo0.ifindex))]);
    dp.send(tcxo1, testFrame());
    dp.run();
    expect(seen).toEqual(['tcxo0', 'tcxo1']);
    expect(dp.accounting.delivered).toBe(1);
  });
  it('egress redirect to tcxo0 ingress is seen on tcxo0', () => {
    const seen: string[] = [];
    const { dp, tcx, tcxo0 } = vethPair();
    dp.capture = { ingress: (dev) => seen.push(dev.name) };
    tcx.set(tcxo0, 'egress', [prog('R', (skb) => redirect(skb, tcxo0.ifindex, 1))]);
    dp.send(tcxo0, testFrame());
    dp.run();
    expect(seen).toEqual(['tcxo0']);
    expect(dp.accounting.delivered).toBe(1);
  });
  for (const hook of ['ingress', 'egress'] as const) {
    it(`${hook} redirect to ifindex 999 is dropped silently`, () => {
      const { dp, tcx, tcxo0, tcxo1 } = vethPair();
      tcx.set(tcxo0, hook, [prog('R', (skb) => redirect(skb, 999))]);
      const rc = dp.send(hook === 'ingress' ? tcxo1 : tcxo0, testFrame());
      dp.run();
      expect(rc).toBe(0);
      expect(dp.accounting.fates.map((f) => f.reason)).toEqual(['redirect_no_device']);
    });
  }
});

describe('classic cls_bpf alone (cls_bpf_exec_opcode, sch_handle_ingress/egress verdicts)', () => {
  // direct-action verdict -> outcome
  const cases: [number, string][] = [
    [-1, 'delivered'],
    [0, 'delivered'],
    [1, 'delivered'], // RECLASSIFY -> UNSPEC
    [2, 'dropped'],
    [3, 'delivered'],
    [4, 'held'], // STOLEN: consumed
    [5, 'delivered'], // QUEUED is not a cls_bpf verdict -> UNSPEC
    [6, 'delivered'],
    [7, 'dropped'], // REDIRECT without target
    [8, 'held'], // TRAP: consumed
    [100, 'delivered'],
  ];
  for (const hook of ['ingress', 'egress'] as const) {
    for (const [code, outcome] of cases) {
      it(`${hook} cls_bpf da returns ${code} -> ${outcome}`, () => {
        const { acc } = fire(hook, ({ tcxo0, dp }) => {
          dp.classic.addQdisc(tcxo0);
          dp.classic.addFilter(tcxo0, hook, { prog: prog('c', code), directAction: true });
        });
        expect(acc.fates[0]!.outcome).toBe(outcome);
      });
    }
  }
});
