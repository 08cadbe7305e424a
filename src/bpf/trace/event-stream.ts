// event-stream.ts: what programs send to user space, as a reader attached to every perf event
// array and ring buffer would receive it (libbpf perf_buffer / ring_buffer). The simulator owns
// one stream; bpf_perf_event_output and the ringbuf helpers append to it; the CLI prints it.
// Records are plain data; eventToJson() gives the JSON form (bytes as hex).
import { hex } from '../maps/map.js';

export interface PerfEventRecord {
  readonly kind: 'perf';
  /** The PERF_EVENT_ARRAY's name and id. */
  readonly map: string;
  readonly mapId: number;
  /** CPU the sample was written on (= the array index that received it). */
  readonly cpu: number;
  /** Program that wrote it. */
  readonly prog: string;
  /** CLOCK_MONOTONIC of the simulation when written. */
  readonly timeNs: bigint;
  /** The program's `data` argument. */
  readonly data: Uint8Array;
  /** The first ctx_len bytes of the packet (BPF_F_CTXLEN_MASK), appended after `data`. */
  readonly sample: Uint8Array;
}

export interface RingbufRecord {
  readonly kind: 'ringbuf';
  readonly map: string;
  readonly mapId: number;
  readonly cpu: number;
  readonly prog: string;
  readonly timeNs: bigint;
  readonly data: Uint8Array;
}

export type EventRecord = PerfEventRecord | RingbufRecord;

export interface EventRecordJson {
  kind: 'perf' | 'ringbuf';
  map: string;
  mapId: number;
  cpu: number;
  prog: string;
  timeNs: string;
  data: string;
  sample?: string;
}

export class EventStream {
  readonly records: EventRecord[] = [];
  /**
   * Whether the stream drains ring buffers as it goes (a reader that keeps up). When false,
   * committed samples stay in the ring for RingBufMap.consume() and a full ring gives -EAGAIN.
   */
  consumeRingbufs = true;
  /** Records not kept because `limit` were already held (perf's "lost samples"). */
  lost = 0;
  constructor(readonly limit = 1_000_000) {}

  push(record: EventRecord): void {
    if (this.records.length >= this.limit) this.lost++;
    else this.records.push(record);
  }

  /** Removes and returns everything recorded so far. */
  take(): EventRecord[] {
    return this.records.splice(0, this.records.length);
  }
}

export function eventToJson(e: EventRecord): EventRecordJson {
  const base = { kind: e.kind, map: e.map, mapId: e.mapId, cpu: e.cpu, prog: e.prog, timeNs: e.timeNs.toString(), data: hex(e.data) };
  return e.kind === 'perf' ? { ...base, sample: hex(e.sample) } : base;
}

/** One line per record: `12.000345 perf events cpu0 dispatch: 8 bytes 01000000... + 64 packet bytes ffff...`. */
export function formatEvent(e: EventRecord): string {
  const us = e.timeNs / 1000n;
  const t = `${us / 1_000_000n}.${(us % 1_000_000n).toString().padStart(6, '0')}`;
  const head = `${t} ${e.kind} ${e.map || `map ${e.mapId}`} cpu${e.cpu} ${e.prog}: ${e.data.length} bytes ${hex(e.data)}`;
  return e.kind === 'perf' && e.sample.length > 0 ? `${head} + ${e.sample.length} packet bytes ${hex(e.sample)}` : head;
}
