// clsact.ts: the clsact qdisc of one device: an ingress and an egress filter chain (chain 0) of
// cls_bpf instances ordered by pref, and the mini_Qdisc counters tc_run updates. A hook whose
// chain is empty has no miniq (tcf_chain0_head_change swaps in NULL): tc_run returns UNSPEC
// and counts nothing.
import { SimError } from '../errors.js';
import type { Skb } from '../bpf/skb/skb.js';
import type { HookProgram, Hook } from '../netdev/datapath/hooks.js';
import { ETH_P_ALL, TC_ACT_OK, TC_ACT_RECLASSIFY, TC_ACT_SHOT, TC_ACT_UNSPEC, TC_H_MIN } from './action.js';
import { ClsBpfProto, TcfResult, type ClsBpfFilter } from './cls-bpf.js';

/** tcf_auto_prio: the first filter without a pref gets 0xC000 (49152). */
export const TC_AUTO_PREF = 0xc000;

export interface FilterSpec {
  readonly prog: HookProgram;
  /** `pref`/`prio`; auto-assigned when absent (49152, then one below the lowest existing). */
  readonly pref?: number;
  /** auto-assigned when absent: the lowest free handle >= 1 in that pref. */
  readonly handle?: number;
  /** host order; ETH_P_ALL when absent. */
  readonly protocol?: number;
  /** `da` */
  readonly directAction?: boolean;
  readonly classid?: number;
  readonly name?: string;
}

/** mini_Qdisc counters (bstats, qstats.drops). */
export class MiniqStats {
  packets = 0;
  bytes = 0;
  drops = 0;
}

export class FilterChain {
  /** Ascending pref (tcf_chain_tp_insert keeps the list sorted by prio). */
  readonly protos: ClsBpfProto[] = [];
  readonly stats = new MiniqStats();
  private readonly res = new TcfResult();

  get empty(): boolean {
    return this.protos.length === 0;
  }

  add(spec: FilterSpec, where: string): ClsBpfFilter {
    const protocol = spec.protocol ?? ETH_P_ALL;
    let pref = spec.pref;
    if (pref === undefined) pref = this.protos.length ? this.protos[0]!.pref - 1 : TC_AUTO_PREF;
    if (!Number.isInteger(pref) || pref < 1 || pref > 0xffff) throw new SimError('EINVAL', `${where}: pref ${pref} out of range 1..65535`);
    let tp = this.protos.find((p) => p.pref === pref);
    if (tp && tp.protocol !== protocol) {
      throw new SimError('EINVAL', `${where}: pref ${pref} already holds filters of protocol 0x${tp.protocol.toString(16)}`);
    }
    const taken = (h: number): boolean => !!tp && tp.filters.some((f) => f.handle === h);
    let handle = spec.handle;
    if (handle === undefined || handle === 0) {
      handle = 1;
      while (taken(handle)) handle++;
    } else if (taken(handle)) {
      throw new SimError('EEXIST', `${where}: filter pref ${pref} handle 0x${handle.toString(16)} already exists`);
    }
    if (!tp) {
      tp = new ClsBpfProto(pref, protocol);
      this.protos.push(tp);
      this.protos.sort((a, b) => a.pref - b.pref);
    }
    const f: ClsBpfFilter = {
      pref,
      handle,
      protocol,
      prog: spec.prog,
      directAction: spec.directAction ?? false,
      classid: (spec.classid ?? 0) >>> 0,
      name: spec.name ?? spec.prog.name,
    };
    tp.filters.unshift(f);
    return f;
  }

  /** `tc filter del`: everything (no pref), a whole pref, or one handle of a pref. */
  del(where: string, pref?: number, handle?: number): ClsBpfFilter[] {
    if (pref === undefined) {
      const all = this.protos.flatMap((p) => p.filters);
      this.protos.length = 0;
      return all;
    }
    const i = this.protos.findIndex((p) => p.pref === pref);
    if (i < 0) throw new SimError('ENOENT', `${where}: no filter with pref ${pref}`);
    const tp = this.protos[i]!;
    if (handle === undefined) {
      this.protos.splice(i, 1);
      return tp.filters;
    }
    const j = tp.filters.findIndex((f) => f.handle === handle);
    if (j < 0) throw new SimError('ENOENT', `${where}: no filter pref ${pref} handle 0x${handle.toString(16)}`);
    const [gone] = tp.filters.splice(j, 1);
    if (tp.filters.length === 0) this.protos.splice(i, 1);
    return [gone!];
  }

  /** Every filter in run order. */
  list(): ClsBpfFilter[] {
    return this.protos.flatMap((p) => p.filters);
  }

  /**
   * tc_run (net/core/dev.c) + tcf_classify: returns the verdict; SHOT counts a miniq drop,
   * OK/RECLASSIFY set skb->tc_index to the minor of the resulting classid.
   */
  run(skb: Skb, atIngress: boolean): number {
    if (this.protos.length === 0) return TC_ACT_UNSPEC;
    this.stats.packets++;
    // mini_qdisc_bstats_cpu_update counts qdisc_pkt_len(skb): qdisc_skb_cb->pkt_len, set to
    // skb->len when the hook started (at ingress after the MAC pull), before any tcx program
    // could change the length.
    this.stats.bytes += skb.wireLen;
    const res = this.res;
    res.classid = 0;
    let ret = TC_ACT_UNSPEC;
    const proto = skb.vlanPresent ? skb.vlanProto : skb.protocol;
    for (let i = 0; i < this.protos.length; i++) {
      const tp = this.protos[i]!;
      if (tp.protocol !== proto && tp.protocol !== ETH_P_ALL) continue;
      const err = tp.classify(skb, atIngress, res);
      if (err >= 0) {
        ret = err;
        break;
      }
    }
    if (ret === TC_ACT_SHOT) this.stats.drops++;
    else if (ret === TC_ACT_OK || ret === TC_ACT_RECLASSIFY) skb.tcIndex = TC_H_MIN(res.classid);
    return ret;
  }
}

export class ClsactQdisc {
  readonly ingress = new FilterChain();
  readonly egress = new FilterChain();

  chain(hook: Hook): FilterChain {
    return hook === 'ingress' ? this.ingress : this.egress;
  }
}
