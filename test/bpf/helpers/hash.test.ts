// hash.test.ts: get_hash_recalc, set_hash, set_hash_invalid against the kernel's hash_ops runs
// (consistency only: the kernel's seed is random), then the deterministic flow hash itself.
import { describe, expect, it } from 'vitest';
import {
  BPF_FUNC_get_hash_recalc as RECALC,
  BPF_FUNC_set_hash as SET,
  BPF_FUNC_set_hash_invalid as INVALID,
} from '../../../src/bpf/helpers/hash.js';
import { BPF_FUNC_skb_store_bytes as STORE, BPF_F_INVALIDATE_HASH } from '../../../src/bpf/helpers/packet.js';
import { HelperBench, cbOut, kernelRuns, type KernelRun } from './harness.js';

describe('kernel fixture redirect_hash (hash_ops)', () => {
  it.each(kernelRuns('redirect_hash', 'hash_ops'))('hash_ops $data_in', (run: KernelRun) => {
    const t = new HelperBench(run.data_in);
    const h = t.callU32(RECALC);
    const cb = [];
    cb[0] = h !== 0 && h === t.skb.hash ? 1 : 0;
    cb[1] = t.callU32(SET, 0x5eed1234);
    cb[2] = t.skb.hash;
    t.call(INVALID);
    cb[3] = t.skb.hash;
    cb[4] = t.callU32(RECALC) === h ? 1 : 0;
    for (let i = 0; i < 5; i++) expect(cb[i]).toBe(cbOut(run, i));
  });
});

const A_TO_B = '02000000000202000000000108004500002112344000401114960a0000010a00000214e90035000d86cb7175657279';
const B_TO_A = '0200000000020200000000010800450000211234400040111496' + '0a000002' + '0a000001' + '003514e9' + '000d86cb7175657279';

describe('flow hash', () => {
  it('is the same for both directions and for repeated runs; differs by port', () => {
    const h1 = new HelperBench(A_TO_B).callU32(RECALC);
    const h2 = new HelperBench(B_TO_A).callU32(RECALC);
    expect(h1).toBe(h2);
    expect(new HelperBench(A_TO_B).callU32(RECALC)).toBe(h1);
    const other = A_TO_B.replace('14e90035', '14ea0035');
    expect(new HelperBench(other).callU32(RECALC)).not.toBe(h1);
    expect(h1).toBe(3025858434); // pinned: FLOW_HASH_SEED and the key layout are part of the contract
  });

  it('marks an L4 hash when ports were found; set_hash values survive recalc until invalidated', () => {
    const t = new HelperBench(A_TO_B);
    t.callU32(RECALC);
    expect(t.skb.l4Hash).toBe(true);
    t.call(SET, 7);
    expect(t.callU32(RECALC)).toBe(7);
    t.call(STORE, 0, t.put(0, '02'), 1, BPF_F_INVALIDATE_HASH);
    expect(t.callU32(RECALC)).not.toBe(7);
  });
});
