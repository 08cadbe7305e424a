// perf-event-array.ts: BPF_MAP_TYPE_PERF_EVENT_ARRAY as bpf_perf_event_output sees it
// (kernel/trace/bpf_trace.c __bpf_perf_event_output). Each index holds a perf event bound to a
// CPU, or nothing. By default the simulator behaves as if a reader (libbpf's perf_buffer) had
// opened one BPF_OUTPUT event per CPU at index = cpu; attach()/detach() change that to mirror
// what user space put in the array (a BPF_PROG_TEST_RUN with an empty array gives -ENOENT).
// Output: index >= max_entries -E2BIG, empty -ENOENT, not a BPF_OUTPUT event -EINVAL, an event
// of another CPU -EOPNOTSUPP; otherwise the record is appended for that index.
import { BpfMap, E, type MapAttrs, type MapEnv } from './map.js';
import { FdArrayMap } from './fd-array.js';

export const BPF_F_INDEX_MASK = 0xffffffff;
export const BPF_F_CURRENT_CPU = 0xffffffff;
/** perf_event_header.type of a sample, and misc for one written in kernel context. */
export const PERF_RECORD_SAMPLE = 9;
export const PERF_RECORD_MISC_KERNEL = 1;
const NO_EVENT = -1;

export class PerfEventArrayMap extends FdArrayMap {
  /** Records per index, oldest first (the user side reads and may clear them). */
  readonly records: Uint8Array[][];
  /** Per index: the CPU its event is bound to, or NO_EVENT. */
  private readonly eventCpu: Int32Array;
  /** Per index: 1 when the event is PERF_COUNT_SW_BPF_OUTPUT (any other event gives -EINVAL). */
  private readonly bpfOutput: Uint8Array;

  constructor(attrs: MapAttrs, env: MapEnv) {
    super(attrs, env);
    this.records = Array.from({ length: this.maxEntries }, () => []);
    this.eventCpu = new Int32Array(this.maxEntries).map((_, i) => (i < this.cpus ? i : NO_EVENT));
    this.bpfOutput = new Uint8Array(this.maxEntries).fill(1);
  }

  /** User space stores a perf event opened on `cpu` at `index` (bpfOutput: its config is BPF_OUTPUT). */
  attach(index: number, cpu: number, bpfOutput = true): void {
    this.eventCpu[index] = cpu;
    this.bpfOutput[index] = bpfOutput ? 1 : 0;
  }

  /** User space deletes the event at `index` (or, without an index, every event). */
  detach(index?: number): void {
    if (index === undefined) this.eventCpu.fill(NO_EVENT);
    else this.eventCpu[index] = NO_EVENT;
  }

  /** `index` is flags & BPF_F_INDEX_MASK; `record` is the data (plus any packet bytes). */
  output(index: number, cpu: number, record: Uint8Array): number {
    const i = index === BPF_F_CURRENT_CPU ? cpu : index >>> 0;
    if (i >= this.maxEntries) return -E.E2BIG;
    if (this.eventCpu[i] === NO_EVENT) return -E.ENOENT;
    if (!this.bpfOutput[i]) return -E.EINVAL;
    if (this.eventCpu[i] !== cpu) return -E.EOPNOTSUPP;
    this.records[i].push(record.slice());
    return 0;
  }
}

/**
 * A sample as it appears in the event's mmap ring (sample_type PERF_SAMPLE_RAW):
 * { u32 type; u16 misc; u16 size } { u32 raw_size; raw[raw_size] }, raw padded with zeros so the
 * record is a multiple of 8 bytes (perf_prepare_sample).
 */
export function perfRawSample(raw: Uint8Array): Uint8Array {
  const rawSize = ((raw.length + 4 + 7) & ~7) - 4;
  const out = new Uint8Array(8 + 4 + rawSize);
  const v = new DataView(out.buffer);
  v.setUint32(0, PERF_RECORD_SAMPLE, true);
  v.setUint16(4, PERF_RECORD_MISC_KERNEL, true);
  v.setUint16(6, out.length, true);
  v.setUint32(8, rawSize, true);
  out.set(raw, 12);
  return out;
}
