import { describe, expect, it } from 'vitest';
import { SimClock, NSEC_PER_SEC } from '../../src/sim/clock.js';
import { Prng } from '../../src/sim/prng.js';

describe('SimClock', () => {
  it('counts monotonic time from a simulated boot one second before the start', () => {
    const c = new SimClock(1_700_000_000n * NSEC_PER_SEC);
    expect(c.monotonicNs).toBe(NSEC_PER_SEC);
    c.advanceTo(1_700_000_002n * NSEC_PER_SEC);
    expect(c.monotonicNs).toBe(3n * NSEC_PER_SEC);
  });
  it('never goes backwards', () => {
    const c = new SimClock(100n);
    c.advanceTo(50n);
    expect(c.realtimeNs).toBe(100n);
  });
  it('starts jiffies at INITIAL_JIFFIES (-300 s) like the kernel', () => {
    const c = new SimClock(0n, 300n * NSEC_PER_SEC);
    expect(c.jiffies64).toBe(0n);
  });
  it('rebases to a first packet keeping the uptime', () => {
    const c = new SimClock();
    c.rebase(5n * NSEC_PER_SEC);
    expect(c.realtimeNs).toBe(5n * NSEC_PER_SEC);
    expect(c.monotonicNs).toBe(NSEC_PER_SEC);
  });
});

describe('Prng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const sa = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextU32())).not.toEqual(sa);
    for (const v of sa) expect(v).toBe(v >>> 0);
  });
});
