// cls-bpf.ts: one cls_bpf instance (a tcf_proto: one pref, one protocol) and its classify loop
// (net/sched/cls_bpf.c cls_bpf_classify). Filters added later run first (list_add_rcu at the
// head; measured, test/fixtures/datapath/kernel-experiments.json). Direct-action filters give a
// verdict; classic filters give a classid (0 = no match, -1 = the filter's own classid).
import type { Skb } from '../bpf/skb/skb.js';
import { runHookProgram, type HookProgram } from '../netdev/datapath/hooks.js';
import { TC_ACT_OK, TC_ACT_UNSPEC, TC_H_MAJ, clsBpfExecOpcode } from './action.js';

export interface ClsBpfFilter {
  readonly pref: number;
  readonly handle: number;
  readonly protocol: number;
  readonly prog: HookProgram;
  readonly directAction: boolean;
  /** `classid`/`flowid` given at add time (u32 major:minor), 0 if none. */
  readonly classid: number;
  /** TCA_BPF_NAME: `obj.o:[sec]` as tc shows it, or the program name. */
  readonly name: string;
}

/** struct tcf_result, the part the datapath reads. */
export class TcfResult {
  classid = 0;
}

export class ClsBpfProto {
  /** Run order: index 0 runs first (the most recently added filter). */
  readonly filters: ClsBpfFilter[] = [];
  constructor(
    readonly pref: number,
    readonly protocol: number,
  ) {}

  /** cls_bpf_classify: returns a TC_ACT_* verdict, TC_ACT_UNSPEC when no filter decided. */
  classify(skb: Skb, atIngress: boolean, res: TcfResult): number {
    let ret = TC_ACT_UNSPEC;
    for (let i = 0; i < this.filters.length; i++) {
      const f = this.filters[i]!;
      // qdisc_skb_cb(skb)->tc_classid is a u16: the filter's classid is truncated to its minor.
      skb.tcClassid = f.classid & 0xffff;
      let filterRes: number;
      if (atIngress) {
        skb.push(skb.macLen);
        try {
          filterRes = runHookProgram(f.prog, skb);
        } finally {
          skb.pull(skb.macLen);
        }
      } else {
        filterRes = runHookProgram(f.prog, skb);
      }
      if (f.directAction) {
        res.classid = (TC_H_MAJ(f.classid) | skb.tcClassid) >>> 0;
        ret = clsBpfExecOpcode(filterRes);
        if (ret === TC_ACT_UNSPEC) continue;
        break;
      }
      if (filterRes === 0) continue;
      res.classid = filterRes === -1 ? f.classid : filterRes >>> 0;
      // tcf_exts_exec without actions: TC_ACT_OK.
      ret = TC_ACT_OK;
      break;
    }
    return ret;
  }
}
