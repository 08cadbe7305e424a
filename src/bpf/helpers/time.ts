// time.ts: clock, randomness and CPU helpers, all answered from the simulation (SimClock, the
// seeded Prng, the simulated CPU), never from the host.
import { defineHelper, retU32, retU64 } from './registry.js';
import { envOf } from './env.js';

export const BPF_FUNC_ktime_get_ns = 5;
export const BPF_FUNC_get_prandom_u32 = 7;
export const BPF_FUNC_get_smp_processor_id = 8;
export const BPF_FUNC_get_numa_node_id = 42;
export const BPF_FUNC_jiffies64 = 118;
export const BPF_FUNC_ktime_get_boot_ns = 125;
export const BPF_FUNC_ktime_get_coarse_ns = 160;
export const BPF_FUNC_ktime_get_tai_ns = 208;

defineHelper({ id: BPF_FUNC_ktime_get_ns, fn: (vm) => retU64(vm, envOf(vm).clock.monotonicNs) });
defineHelper({ id: BPF_FUNC_ktime_get_boot_ns, fn: (vm) => retU64(vm, envOf(vm).clock.monotonicNs) });
// The coarse clock ticks at jiffy granularity (HZ=250: 4 ms).
defineHelper({
  id: BPF_FUNC_ktime_get_coarse_ns,
  fn: (vm) => {
    const ns = envOf(vm).clock.monotonicNs;
    retU64(vm, ns - (ns % 4_000_000n));
  },
});
defineHelper({ id: BPF_FUNC_ktime_get_tai_ns, fn: (vm) => retU64(vm, envOf(vm).clock.taiNs) });
defineHelper({ id: BPF_FUNC_jiffies64, fn: (vm) => retU64(vm, envOf(vm).clock.jiffies64) });
defineHelper({ id: BPF_FUNC_get_prandom_u32, fn: (vm) => retU32(vm, envOf(vm).prng.nextU32()) });
defineHelper({ id: BPF_FUNC_get_smp_processor_id, fn: (vm) => retU32(vm, envOf(vm).cpu) });
defineHelper({ id: BPF_FUNC_get_numa_node_id, fn: (vm) => retU32(vm, 0) });
