// callbacks.ts: helpers that call back into the program: bpf_loop (kernel/bpf/bpf_iter.c) and
// bpf_for_each_map_elem (kernel/bpf/helpers.c -> arraymap.c / hashtab.c map_for_each_callback).
// The callback is a (TAG_FUNC, insn) pointer into the running executable, run through vm.invoke
// in a new frame; a non-zero return stops the walk. Both return how many callbacks ran.
//
//   loop:     cb(i, ctx)                       flags != 0 -> -EINVAL, nr_loops > 1<<23 -> -E2BIG
//   for_each: cb(map, &key, &value, ctx)       flags != 0 -> -EINVAL
import { ERRNO } from '../../errors.js';
import { ArrayMap } from '../maps/array.js';
import { HashMap } from '../maps/hash.js';
import type { BpfMap } from '../maps/map.js';
import { Region, TAG_FUNC, TAG_MAP_PTR, type Memory } from '../memory.js';
import type { Executable, Vm } from '../vm.js';
import { envOf } from './env.js';
import { mapArg } from './maps.js';
import { argU32, defineHelper, helperFault, retS64 } from './registry.js';

export const BPF_FUNC_for_each_map_elem = 164;
export const BPF_FUNC_loop = 181;
/** kernel/bpf/bpf_iter.c BPF_MAX_LOOPS */
export const BPF_MAX_LOOPS = 8 * 1024 * 1024;
/** The largest key a for_each callback can be handed (hash keys are at most a stack's worth). */
const MAX_KEY = 512;

/** The callback r_i points to: the running executable and the subprogram's first insn. */
function callbackArg(vm: Vm, i: number, helper: number): { exe: Executable; pc: number } {
  const exe = vm.current;
  if (vm.regs[2 * i + 1] !== TAG_FUNC || exe === null) {
    throw helperFault(vm, helper, `r${i} is not a callback (the verifier requires PTR_TO_FUNC)`);
  }
  return { exe, pc: vm.regs[2 * i] };
}

/** One (lo, hi) pair per argument, reused: invoke() copies it into r1..r5 before running. */
const args = new Int32Array(10);

defineHelper({
  id: BPF_FUNC_loop,
  fn: (vm) => {
    const cb = callbackArg(vm, 2, BPF_FUNC_loop);
    if (vm.regs[8] !== 0 || vm.regs[9] !== 0) return retS64(vm, -ERRNO.EINVAL);
    const n = argU32(vm, 1);
    if (n > BPF_MAX_LOOPS) return retS64(vm, -ERRNO.E2BIG);
    const ctxLo = vm.regs[6];
    const ctxHi = vm.regs[7];
    for (let i = 0; i < n; i++) {
      args.fill(0);
      args[0] = i;
      args[2] = ctxLo;
      args[3] = ctxHi;
      vm.invoke(cb.exe, cb.pc, args);
      if (vm.regs[0] !== 0 || vm.regs[1] !== 0) return retS64(vm, i + 1);
    }
    retS64(vm, n);
  },
});

/** Read-only key buffers handed to for_each callbacks, one per call depth (callbacks may nest). */
const keyRegions = new WeakMap<Memory, { tag: number; region: Region }[]>();

function keyRegion(vm: Vm, keySize: number): { tag: number; region: Region } {
  let perDepth = keyRegions.get(vm.memory);
  if (perDepth === undefined) {
    perDepth = [];
    keyRegions.set(vm.memory, perDepth);
  }
  let slot = perDepth[vm.depth];
  if (slot === undefined) {
    const region = new Region('for_each_map_elem key', new Uint8Array(MAX_KEY), false);
    slot = { tag: vm.memory.addStatic(region), region };
    perDepth[vm.depth] = slot;
  }
  slot.region.size = keySize;
  return slot;
}

defineHelper({
  id: BPF_FUNC_for_each_map_elem,
  fn: (vm) => {
    const map = mapArg(vm, 1, BPF_FUNC_for_each_map_elem);
    const cb = callbackArg(vm, 2, BPF_FUNC_for_each_map_elem);
    if (!(map instanceof ArrayMap) && !(map instanceof HashMap && map.lookupKind === 'value')) {
      throw helperFault(vm, BPF_FUNC_for_each_map_elem, `${map.describe()} has no map_for_each_callback (the verifier refuses this)`);
    }
    if (vm.regs[8] !== 0 || vm.regs[9] !== 0) return retS64(vm, -ERRNO.EINVAL);
    const key = keyRegion(vm, map.keySize);
    const ctxLo = vm.regs[6];
    const ctxHi = vm.regs[7];
    const mapId = map.id;
    const cpu = envOf(vm).cpu;
    const call = (valueOff: number): boolean => {
      args.fill(0);
      args[0] = mapId;
      args[1] = TAG_MAP_PTR;
      args[3] = key.tag;
      args[4] = valueOff;
      args[5] = map.valueTag;
      args[6] = ctxLo;
      args[7] = ctxHi;
      vm.invoke(cb.exe, cb.pc, args);
      return vm.regs[0] !== 0 || vm.regs[1] !== 0;
    };
    const n = walk(map, cpu, key.region.bytes, call);
    retS64(vm, n);
  },
});

/** The map's own walk order (array: index order; hash: bucket order), the key copied out first. */
function walk(map: BpfMap, cpu: number, keyBuf: Uint8Array, call: (valueOff: number) => boolean): number {
  if (map instanceof ArrayMap) {
    return map.forEach(cpu, (index, valueOff) => {
      keyBuf[0] = index & 0xff;
      keyBuf[1] = (index >>> 8) & 0xff;
      keyBuf[2] = (index >>> 16) & 0xff;
      keyBuf[3] = index >>> 24;
      return call(valueOff);
    });
  }
  return (map as HashMap).forEach(cpu, (key, valueOff) => {
    keyBuf.set(key);
    return call(valueOff);
  });
}
