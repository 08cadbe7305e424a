import { describe, expect, it } from 'vitest';
import { BpfFault } from '../../src/bpf/fault.js';
import type { Skb } from '../../src/bpf/skb/skb.js';
import { VerdictCounter } from '../../src/scenario/verdicts.js';
import type { HookProgram } from '../../src/netdev/datapath/hooks.js';

/** A test double returning the given results in turn (not a BpfHookProgram: the generic wrapper). */
function double(results: (number | BpfFault)[]): HookProgram {
  let i = 0;
  return { id: 7, name: 'double', run: (_skb: Skb) => results[i++]! };
}

describe('VerdictCounter', () => {
  it('counts every verdict by tc action name and hands the result on unchanged', () => {
    const v = new VerdictCounter();
    const fault = new BpfFault('helper_fault', 3, 'bad argument');
    const p = v.wrap(double([-1, 0, 0, 2, 7, 42, fault]));
    const got = Array.from({ length: 7 }, () => p.run(null as unknown as Skb));
    expect(got.slice(0, 6)).toEqual([-1, 0, 0, 2, 7, 42]);
    expect(got[6]).toBe(fault);
    expect([p.id, p.name]).toEqual([7, 'double']);
    expect(v.of(7)).toEqual({ unspec: 1, ok: 2, shot: 1, redirect: 1, other: 1, fault: 1 });
  });
});
