// maps.ts: the map helpers a tc program calls (kernel/bpf/helpers.c bpf_map_*_elem): lookup,
// update, delete, push/pop/peek and map_lookup_percpu_elem. A map argument is (TAG_MAP_PTR, id);
// lookups return (valueTag, offset) into the map's value slab, (TAG_MAP_PTR, inner id) for
// map-in-maps, or NULL. Errors are the map's own -errno, as the kernel's map ops return them.
import { ERRNO } from '../../errors.js';
import { TAG_MAP_PTR } from '../memory.js';
import type { BpfMap } from '../maps/map.js';
import { BPF_MAP_TYPE } from '../spec.js';
import type { Vm } from '../vm.js';
import { envOf } from './env.js';
import { argU32, defineHelper, helperFault, memArg, retS64 } from './registry.js';

export const BPF_FUNC_map_lookup_elem = 1;
export const BPF_FUNC_map_update_elem = 2;
export const BPF_FUNC_map_delete_elem = 3;
export const BPF_FUNC_map_push_elem = 87;
export const BPF_FUNC_map_pop_elem = 88;
export const BPF_FUNC_map_peek_elem = 89;
export const BPF_FUNC_map_lookup_percpu_elem = 195;

/**
 * The map r_i points to. Anything else is a fault: the verifier only lets a CONST_PTR_TO_MAP
 * reach a map argument, so a program that gets here with a scalar would never have loaded.
 */
export function mapArg(vm: Vm, i: number, helper: number): BpfMap {
  const hi = vm.regs[2 * i + 1];
  const lo = vm.regs[2 * i];
  const map = hi === TAG_MAP_PTR ? envOf(vm).maps.get(lo) : undefined;
  if (map === undefined) {
    throw helperFault(vm, helper, `r${i} is not a map pointer (the verifier requires CONST_PTR_TO_MAP)`);
  }
  return map;
}

/** r0 = pointer (tag, offset), or NULL when offset < 0. */
function retPtr(vm: Vm, tag: number, offset: number): void {
  if (offset < 0) {
    vm.regs[0] = 0;
    vm.regs[1] = 0;
  } else {
    vm.regs[0] = offset;
    vm.regs[1] = tag;
  }
}

/** Every map type checks `flags > BPF_EXIST` on the u64: high bits are -EINVAL everywhere. */
function flagsHighBits(vm: Vm, i: number): boolean {
  return vm.regs[2 * i + 1] !== 0;
}

defineHelper({
  id: BPF_FUNC_map_lookup_elem,
  fn: (vm) => {
    const map = mapArg(vm, 1, BPF_FUNC_map_lookup_elem);
    const key = memArg(vm, 2, map.keySize, false);
    const at = map.progLookup(key.region, key.offset, envOf(vm).cpu);
    retPtr(vm, map.lookupKind === 'map' ? TAG_MAP_PTR : map.valueTag, map.lookupKind === 'none' ? -1 : at);
  },
});

defineHelper({
  id: BPF_FUNC_map_update_elem,
  fn: (vm) => {
    const map = mapArg(vm, 1, BPF_FUNC_map_update_elem);
    const key = memArg(vm, 2, map.keySize, false);
    const val = memArg(vm, 3, map.valueSize, false);
    if (flagsHighBits(vm, 4)) return retS64(vm, -ERRNO.EINVAL);
    retS64(vm, map.progUpdate(key.region, key.offset, val.region, val.offset, argU32(vm, 4), envOf(vm).cpu));
  },
});

defineHelper({
  id: BPF_FUNC_map_delete_elem,
  fn: (vm) => {
    const map = mapArg(vm, 1, BPF_FUNC_map_delete_elem);
    const key = memArg(vm, 2, map.keySize, false);
    retS64(vm, map.progDelete(key.region, key.offset));
  },
});

defineHelper({
  id: BPF_FUNC_map_push_elem,
  fn: (vm) => {
    const map = mapArg(vm, 1, BPF_FUNC_map_push_elem);
    const val = memArg(vm, 2, map.valueSize, false);
    if (flagsHighBits(vm, 3)) return retS64(vm, -ERRNO.EINVAL);
    retS64(vm, map.progPush(val.region, val.offset, argU32(vm, 3)));
  },
});

defineHelper({
  id: BPF_FUNC_map_pop_elem,
  fn: (vm) => {
    const map = mapArg(vm, 1, BPF_FUNC_map_pop_elem);
    const dst = memArg(vm, 2, map.valueSize, true);
    retS64(vm, map.progPop(dst.region, dst.offset));
  },
});

// For a bloom filter the value is an input (the membership test), so it need not be writable.
defineHelper({
  id: BPF_FUNC_map_peek_elem,
  fn: (vm) => {
    const map = mapArg(vm, 1, BPF_FUNC_map_peek_elem);
    const dst = memArg(vm, 2, map.valueSize, map.type !== BPF_MAP_TYPE.BLOOM_FILTER);
    retS64(vm, map.progPeek(dst.region, dst.offset));
  },
});

// kernel: NULL for cpu >= nr_cpu_ids; the map answers NULL for non-per-CPU types too (the
// verifier only accepts PERCPU_ARRAY, PERCPU_HASH and LRU_PERCPU_HASH).
defineHelper({
  id: BPF_FUNC_map_lookup_percpu_elem,
  fn: (vm) => {
    const map = mapArg(vm, 1, BPF_FUNC_map_lookup_percpu_elem);
    const key = memArg(vm, 2, map.keySize, false);
    // BPF_CALL_3(..., u32, cpu): the high half is dropped
    retPtr(vm, map.valueTag, map.progLookupPercpu(key.region, key.offset, argU32(vm, 3)));
  },
});
