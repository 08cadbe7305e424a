// prog-section.test.ts: section name -> program type, by cilium/ebpf's prefix rule.
import { describe, expect, it } from 'vitest';
import { legacyTailSlot, progSectionType } from '../../../src/bpf/elf/prog-section.js';
import { BPF_PROG_TYPE as P } from '../../../src/bpf/spec.js';

describe('progSectionType', () => {
  const rows: [string, number, string | undefined][] = [
    ['tc', P.SCHED_CLS, undefined],
    ['classifier', P.SCHED_CLS, undefined],
    ['classifier/foo', P.SCHED_CLS, undefined],
    ['tc/entry', P.SCHED_CLS, undefined],
    ['tc/test/x/check', P.SCHED_CLS, undefined],
    ['tc/ingress', P.SCHED_CLS, 'tcx_ingress'],
    ['tcx/egress', P.SCHED_CLS, 'tcx_egress'],
    ['?tcx/ingress', P.SCHED_CLS, 'tcx_ingress'],
    ['netkit/peer', P.SCHED_CLS, 'netkit_peer'],
    ['action', P.SCHED_ACT, undefined],
    ['xdp', P.XDP, undefined],
    ['2/7', P.UNSPEC, undefined],
    ['from-container', P.UNSPEC, undefined],
  ];
  for (const [name, type, attach] of rows) {
    it(name, () => expect(progSectionType(name)).toEqual(attach ? { type, attachType: attach } : { type }));
  }
  it('legacy tail slots', () => {
    expect(legacyTailSlot('2/7')).toEqual({ id: 2, slot: 7 });
    expect(legacyTailSlot('tc/7')).toBeUndefined();
  });
});
