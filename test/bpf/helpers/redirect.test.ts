// redirect.test.ts: redirect (kernel redirect_hash runs: 7 for flags 0/INGRESS, 2 otherwise),
// redirect_peer, redirect_neigh and clone_redirect: what is recorded on the skb and returned.
import { describe, expect, it } from 'vitest';
import {
  BPF_FUNC_clone_redirect as CLONE,
  BPF_FUNC_redirect as REDIRECT,
  BPF_FUNC_redirect_neigh as NEIGH,
  BPF_FUNC_redirect_peer as PEER,
  BPF_F_INGRESS,
} from '../../../src/bpf/helpers/redirect.js';
import { HelperBench, cbOut, hex, kernelRuns, type KernelRun } from './harness.js';

const FRAME = '02000000000202000000000108004500002112344000401114960a0000010a00000214e90035000d86cb7175657279';

describe('kernel fixture redirect_hash (redirect_cb)', () => {
  it.each(kernelRuns('redirect_hash', 'redirect_cb'))('redirect($ctx_in)', (run: KernelRun) => {
    const t = new HelperBench(run.data_in, run.ctx_in === null ? null : hex(run.ctx_in));
    const ifindex = cbOut(run, 0);
    const flags = cbOut(run, 1);
    expect(Number(t.callRaw(REDIRECT, ifindex, flags))).toBe(run.retval);
    if (run.retval === 7) {
      expect(t.skb.redirect.kind).toBe('redirect');
      expect(t.skb.redirect.ifindex).toBe(ifindex);
      expect(t.skb.redirect.flags).toBe(flags);
    }
  });
});

describe('redirect family', () => {
  it('redirect: any flag bit but BPF_F_INGRESS (in 64 bits) is TC_ACT_SHOT and records nothing', () => {
    const t = new HelperBench(FRAME);
    expect(t.callRaw(REDIRECT, 3, 1n << 33n)).toBe(2n);
    expect(t.skb.redirect.kind).toBe('none');
    expect(t.callRaw(REDIRECT, 3, BPF_F_INGRESS)).toBe(7n);
    expect(t.skb.redirect.flags).toBe(BPF_F_INGRESS);
  });

  it('redirect_peer: flags must be 0', () => {
    const t = new HelperBench(FRAME);
    expect(t.callRaw(PEER, 4, 1)).toBe(2n);
    expect(t.callRaw(PEER, 4, 0)).toBe(7n);
    expect(t.skb.redirect.kind).toBe('peer');
    expect(t.skb.redirect.ifindex).toBe(4);
  });

  it('redirect_neigh: plen 0 or >= 20, flags 0; the next hop is copied', () => {
    const t = new HelperBench(FRAME);
    const params = t.put(0, '02000000' + 'c0a80101' + '00'.repeat(12));
    expect(t.callRaw(NEIGH, 5, params, 19, 0)).toBe(2n);
    expect(t.callRaw(NEIGH, 5, params, 20, 1)).toBe(2n);
    expect(t.callRaw(NEIGH, 5, 0, 0, 0)).toBe(7n);
    expect(t.skb.redirect.kind).toBe('neigh');
    expect(t.skb.redirect.neigh.present).toBe(false);
    expect(t.callRaw(NEIGH, 6, params, 20, 0)).toBe(7n);
    expect(t.skb.redirect.ifindex).toBe(6);
    expect(t.skb.redirect.neigh.present).toBe(true);
    expect(t.skb.redirect.neigh.family).toBe(2);
    expect(Array.from(t.skb.redirect.neigh.addr.subarray(0, 4))).toEqual([192, 168, 1, 1]);
  });

  it('clone_redirect: -EINVAL for bad flags or an unknown device, -EBADMSG for type-less GSO; queues clones', () => {
    const t = new HelperBench(FRAME);
    expect(t.call(CLONE, 1, 2)).toBe(-22n);
    expect(t.call(CLONE, 42, 0)).toBe(-22n); // only lo and the skb's device exist by default
    expect(t.call(CLONE, 1, BPF_F_INGRESS)).toBe(0n);
    t.env.devExists = (i) => i === 42;
    expect(t.call(CLONE, 42, 0)).toBe(0n);
    expect(t.skb.redirect.clones).toEqual([1, BPF_F_INGRESS, 42, 0]);
    expect(t.skb.redirect.kind).toBe('none');
    t.skb.gsoSize = 100;
    expect(t.call(CLONE, 42, 0)).toBe(-74n);
  });

  it('clone_redirect in a datapath: the clone is made and sent during the call, its result is returned', () => {
    const t = new HelperBench(FRAME);
    const calls: [number, number][] = [];
    t.env.devExists = (i) => i === 42;
    t.env.cloneRedirect = (skb, ifindex, flags) => (calls.push([ifindex, flags]), skb === t.skb ? 2 : -1);
    expect(t.call(CLONE, 42, BPF_F_INGRESS)).toBe(2n); // e.g. NET_XMIT_CN from a target that is down
    expect(calls).toEqual([[42, BPF_F_INGRESS]]);
    expect(t.skb.redirect.clones).toEqual([]);
    expect(t.call(CLONE, 43, 0)).toBe(-22n); // the device check still comes first
    expect(calls.length).toBe(1);
  });
});
