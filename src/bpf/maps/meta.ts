// meta.ts: which maps may sit inside an array/hash of maps (kernel/bpf/map_in_map.c
// bpf_map_meta_alloc and the map_meta_equal ops). The outer map keeps the inner template's
// attributes; every map stored later must match them.
import { SimError } from '../../errors.js';
import { BPF_F_INNER_MAP, BPF_MAP_TYPE, mapTypeName } from '../spec.js';
import type { MapAttrs } from './map.js';

/** bpf_map_meta_alloc's refusals for the inner template. */
export function checkInnerTemplate(inner: MapAttrs | undefined, outer: string): void {
  if (!inner) throw new SimError('EINVAL', `${outer}: a map-in-map needs an inner map template (inner_map_fd)`);
  const t = inner.type;
  if (t === BPF_MAP_TYPE.ARRAY_OF_MAPS || t === BPF_MAP_TYPE.HASH_OF_MAPS) {
    throw new SimError('EINVAL', `${outer}: inner map is a ${mapTypeName(t)}; only one level of map-in-map is supported`);
  }
  // prog arrays (and other types without map_meta_equal) cannot be inner maps: ENOTSUPP on 6.18
  if (t === BPF_MAP_TYPE.PROG_ARRAY) {
    throw new SimError('ENOTSUPP', `${outer}: a prog_array cannot be an inner map`);
  }
}

/**
 * map_meta_equal: same type, key size, value size and flags. Arrays (array_map_meta_equal)
 * also need the same max_entries unless the template has BPF_F_INNER_MAP; other types ignore it.
 */
export function innerMapCompatible(meta: MapAttrs, m: MapAttrs): boolean {
  if (meta.type !== m.type || meta.keySize !== m.keySize || meta.valueSize !== m.valueSize || meta.flags !== m.flags) return false;
  if (meta.type === BPF_MAP_TYPE.ARRAY && (meta.flags & BPF_F_INNER_MAP) === 0) return meta.maxEntries === m.maxEntries;
  return true;
}
