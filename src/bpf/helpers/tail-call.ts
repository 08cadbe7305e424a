// tail-call.ts: bpf_tail_call (id 12) with the interpreter's JMP_TAIL_CALL semantics
// (kernel/bpf/core.c): index >= max_entries, tail_call_cnt >= MAX_TAIL_CALL_CNT or an empty slot
// fall through with r0 untouched; the count rises after the index check and before the slot is
// read. On success the VM continues at the target's insn 0 in the same frame (vm.tailCallTarget),
// so the skb and with it cb[] and mark are simply still there.
import { FdArrayMap } from '../maps/fd-array.js';
import { MAX_TAIL_CALL_CNT } from '../opcodes.js';
import { BPF_MAP_TYPE } from '../spec.js';
import type { Vm } from '../vm.js';
import { envOf, type HelperProg } from './env.js';
import { mapArg } from './maps.js';
import { argU32, defineHelper, helperFault } from './registry.js';

export const BPF_FUNC_tail_call = 12;

/** Why a tail call fell through (for traces); null when it was taken. */
export type TailCallMiss = 'index' | 'limit' | 'empty';

/**
 * The outcome of the latest bpf_tail_call, for the tracer to read right after the call (the
 * helper runs no program code, so nothing can overwrite it in between): null when it was taken.
 */
export const lastTailCall: { miss: TailCallMiss | null } = { miss: null };

/** Resolves bpf_tail_call(ctx, map, index) without side effects: the target, or why not. */
export function tailCallTarget(vm: Vm, map: FdArrayMap, index: number): HelperProg | TailCallMiss {
  if (index >= map.maxEntries) return 'index';
  if (vm.tailCallCount >= MAX_TAIL_CALL_CNT) return 'limit';
  const id = map.progAt(index);
  const prog = id === 0 ? undefined : envOf(vm).progs.get(id);
  return prog ?? 'empty';
}

defineHelper({
  id: BPF_FUNC_tail_call,
  fn: (vm) => {
    const map = mapArg(vm, 2, BPF_FUNC_tail_call);
    if (map.type !== BPF_MAP_TYPE.PROG_ARRAY || !(map instanceof FdArrayMap)) {
      throw helperFault(vm, BPF_FUNC_tail_call, `map ${map.describe()} is not a prog array (the verifier refuses this)`);
    }
    // BPF_CALL's u32 index: the high half of r3 is ignored
    const target = tailCallTarget(vm, map, argU32(vm, 3));
    // the index and limit checks come before the count rises; an empty slot is found after
    if (target === 'index' || target === 'limit') {
      lastTailCall.miss = target;
      return;
    }
    vm.tailCallCount++;
    if (target === 'empty') {
      lastTailCall.miss = target;
      return;
    }
    lastTailCall.miss = null;
    target.runCount++;
    vm.tailCallTarget = target;
  },
});
