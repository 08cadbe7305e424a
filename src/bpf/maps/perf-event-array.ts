// perf-event-array.ts: BPF_MAP_TYPE_PERF_EVENT_ARRAY as bpf_perf_event_output sees it. The
// simulator has no perf events, so it behaves as if a reader (libbpf's perf_buffer) had opened
// one event per CPU at index = cpu: output to BPF_F_CURRENT_CPU or to the current CPU's index
// appends a record for that CPU; another CPU's index gives -EOPNOTSUPP (event->oncpu != cpu),
// an index >= max_entries -E2BIG, an index with no CPU behind it -ENOENT.
import { BpfMap, E, type MapAttrs, type MapEnv } from './map.js';
import { FdArrayMap } from './fd-array.js';

export const BPF_F_INDEX_MASK = 0xffffffff;
export const BPF_F_CURRENT_CPU = 0xffffffff;

export class PerfEventArrayMap extends FdArrayMap {
  /** Records per index, oldest first (the user side reads and may clear them). */
  readonly records: Uint8Array[][];

  constructor(attrs: MapAttrs, env: MapEnv) {
    super(attrs, env);
    this.records = Array.from({ length: this.maxEntries }, () => []);
  }

  /** `index` is flags & BPF_F_INDEX_MASK; `record` is the data (plus any packet bytes). */
  output(index: number, cpu: number, record: Uint8Array): number {
    const i = index === BPF_F_CURRENT_CPU ? cpu : index >>> 0;
    if (i >= this.maxEntries) return -E.E2BIG;
    if (i >= this.cpus) return -E.ENOENT;
    if (i !== cpu) return -E.EOPNOTSUPP;
    this.records[i].push(record.slice());
    return 0;
  }
}

export function isPerfEventArray(m: BpfMap): m is PerfEventArrayMap {
  return m instanceof PerfEventArrayMap;
}
