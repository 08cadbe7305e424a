// after-ingress.test.ts: the after-tc ingress capture point (Capture.afterIngress): it sees what
// tc ingress lets through (not what it drops), and a true answer takes the packet off as held.
import { describe, expect, it } from 'vitest';
import { prog, testFrame, vethPair } from './stubs.js';

describe('Capture.afterIngress', () => {
  it('sees passing packets only, from the MAC header, and leaves them to the stack unless taken', () => {
    const { tcxo0, tcxo1, tcx, dp } = vethPair();
    const seen: number[] = [];
    dp.capture = { afterIngress: (_d, frame) => void seen.push(frame.length) };
    tcx.set(tcxo1, 'ingress', [prog('X', 0)]);
    dp.send(tcxo0, testFrame());
    dp.run();
    expect(seen).toEqual([60]);
    expect(dp.accounting.delivered).toBe(1);
    tcx.set(tcxo1, 'ingress', [prog('X', 2)]);
    dp.send(tcxo0, testFrame());
    dp.run();
    expect(seen).toEqual([60]);
    expect(dp.accounting.drops.get('tc_ingress')).toBe(1);
  });

  it('a true answer holds the packet after tc (no stack, no delivery); no hook counts as passing', () => {
    const { tcxo0, dp } = vethPair();
    dp.capture = { afterIngress: () => true };
    dp.send(tcxo0, testFrame());
    dp.run();
    expect(dp.accounting.held).toBe(1);
    expect(dp.accounting.delivered).toBe(0);
    expect(dp.accounting.inFlight).toBe(0);
  });
});
