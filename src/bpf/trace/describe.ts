// describe.ts: a register value in words, for traces. Pointers name their region the way a
// reader thinks of it: `ctx`, `stack-16` (frame 0; `stack1-8` in a callback's frame),
// `pkt+14` (from skb->data), `map:flows` (a map), `map:flows+128` (into its values),
// `func@12`; scalars are decimal up to 65535, hex above, negative when they look like -errno.
import { errnoName } from '../../errors.js';
import type { HelperEnv } from '../helpers/env.js';
import type { BpfMap } from '../maps/map.js';
import { PACKET_GENERATIONS, TAG_CTX, TAG_FUNC, TAG_MAP_PTR, TAG_PACKET0, TAG_STACK0, TAG_STATIC0 } from '../memory.js';
import { MAX_BPF_STACK, MAX_CALL_FRAMES } from '../opcodes.js';
import type { Vm } from '../vm.js';

/** Largest magnitude shown as an errno (the kernel's MAX_ERRNO). */
const MAX_ERRNO = 4095;

const byTag = new WeakMap<ReadonlyMap<number, BpfMap>, Map<number, BpfMap>>();

/** The map whose value storage has region tag `tag` (rebuilt when a new map appears). */
export function mapOfTag(maps: ReadonlyMap<number, BpfMap>, tag: number): BpfMap | undefined {
  let index = byTag.get(maps);
  let m = index?.get(tag);
  if (m === undefined && (index === undefined || index.size !== maps.size)) {
    index = new Map();
    for (const x of maps.values()) if (x.valueTag >= 0) index.set(x.valueTag, x);
    byTag.set(maps, index);
    m = index.get(tag);
  }
  return m;
}

export function mapLabel(map: BpfMap | undefined, id: number): string {
  return `map:${map?.name || `id${id}`}`;
}

function signedOff(base: string, off: number): string {
  return off === 0 ? base : off > 0 ? `${base}+${off}` : `${base}${off}`;
}

/** A 64-bit scalar given as (lo, hi). */
export function describeScalar(lo: number, hi: number): string {
  if (hi === 0) return (lo >>> 0) <= 0xffff ? String(lo >>> 0) : `0x${(lo >>> 0).toString(16)}`;
  if (hi === -1 && lo < 0 && lo >= -0xffff) return String(lo);
  return `0x${(hi >>> 0).toString(16)}${(lo >>> 0).toString(16).padStart(8, '0')}`;
}

/** r0 of a helper: scalars with -errno spelled out, pointer results NULL when zero. */
export function describeResult(vm: Vm, pointer: boolean): string {
  const lo = vm.regs[0];
  const hi = vm.regs[1];
  if (pointer && lo === 0 && hi === 0) return 'NULL';
  if (hi === -1 && lo < 0 && lo >= -MAX_ERRNO) {
    const name = errnoName(lo);
    return name === String(lo) ? String(lo) : `${lo} (${name})`;
  }
  return describeValue(vm, lo, hi);
}

export function describeValue(vm: Vm, lo: number, hi: number): string {
  if (hi <= 0 || hi >= vm.memory.regions.length) return describeScalar(lo, hi);
  const env = vm.env as HelperEnv | undefined;
  if (hi === TAG_CTX) return signedOff('ctx', lo);
  if (hi === TAG_MAP_PTR) return mapLabel(env?.maps.get(lo), lo);
  if (hi === TAG_FUNC) return `func@${lo}`;
  if (hi >= TAG_STACK0 && hi < TAG_STACK0 + MAX_CALL_FRAMES) {
    const k = hi - TAG_STACK0;
    return signedOff(k === 0 ? 'stack' : `stack${k}`, lo - MAX_BPF_STACK);
  }
  if (hi >= TAG_PACKET0 && hi < TAG_PACKET0 + PACKET_GENERATIONS) {
    const base = hi === vm.memory.packetTag ? 'pkt' : 'pkt(stale)';
    return signedOff(base, lo - (env?.skb.data ?? 0));
  }
  if (hi >= TAG_STATIC0) {
    const map = env ? mapOfTag(env.maps, hi) : undefined;
    if (map !== undefined) return `${mapLabel(map, map.id)}+${lo >>> 0}`;
    const region = vm.memory.regions[hi];
    if (region.invalid === null) return signedOff(region.name.replace(/\s+/g, '_'), lo >>> 0);
  }
  return describeScalar(lo, hi);
}
