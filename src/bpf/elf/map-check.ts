// map-check.ts: the loader refuses a map spec that BPF_MAP_CREATE would refuse, with the same
// errno, by calling the simulator's own checks (bpf/maps/create.ts validateMapAttrs) after the
// fix-ups libbpf makes first. Map types the simulator does not model are left for it to refuse.
import { validateMapAttrs } from '../maps/create.js';
import type { MapAttrs } from '../maps/map.js';
import { BPF_MAP_TYPE } from '../spec.js';

export type { MapAttrs };

/** Throws SimError(EINVAL | E2BIG | ENOTSUPP) as BPF_MAP_CREATE would; `where` names file and section. */
export function checkMapAttrs(m: MapAttrs, where: string): void {
  // libbpf sizes a perf event array with max_entries 0 to the CPU count before creating it
  // (the simulator does the same); any positive count stands in for it here.
  const created = m.type === BPF_MAP_TYPE.PERF_EVENT_ARRAY && m.maxEntries === 0 ? { ...m, maxEntries: 1 } : m;
  validateMapAttrs(created, { where, unsimulated: 'accept' });
}
