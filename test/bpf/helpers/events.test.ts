// events.test.ts: bpf_perf_event_output and the ring buffer helpers (src/bpf/helpers/events.ts):
// what lands in the EventStream and in the maps, and the errno for bad flags, sizes and indexes
// (net/core/filter.c bpf_skb_event_output, kernel/trace/bpf_trace.c, kernel/bpf/ringbuf.c).
import { describe, expect, it } from 'vitest';
import type { HelperEnv } from '../../../src/bpf/helpers/env.js';
import type { PerfEventArrayMap } from '../../../src/bpf/maps/perf-event-array.js';
import type { RingBufMap } from '../../../src/bpf/maps/ringbuf.js';
import { BPF_MAP_TYPE } from '../../../src/bpf/spec.js';
import { EventStream, eventToJson, formatEvent } from '../../../src/bpf/trace/event-stream.js';
import { Bench, frame, hex, save } from '../trace/harness.js';

function withStream(b: Bench): EventStream {
  const stream = new EventStream();
  Object.assign(b.sim.env as HelperEnv, { events: stream });
  return stream;
}

/** perf_event_output(ctx, events, flags, &u64 0x0102030405060708 at fp-24, size) -> out[slot]. */
function perf(flags: string, size: number, slot: number): string {
  return `
    r6 = r1
    r1 = 0x0102030405060708 ll
    *(u64 *)(r10 - 24) = r1
    r1 = r6
    r2 = map[events] ll
    r3 = ${flags} ll
    r4 = r10
    r4 += -24
    r5 = ${size}
    call bpf_perf_event_output
    ${save(slot)}
    r1 = r6`;
}

describe('bpf_perf_event_output', () => {
  const bench = (): { b: Bench; stream: EventStream; map: PerfEventArrayMap } => {
    const b = new Bench(2);
    const map = b.map('events', { type: BPF_MAP_TYPE.PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 }) as PerfEventArrayMap;
    return { b, stream: withStream(b), map };
  };

  it('records data followed by the first ctx_len packet bytes on the current CPU', () => {
    const { b, stream, map } = bench();
    // BPF_F_CURRENT_CPU | 14 << 32: the Ethernet header as the packet sample
    const r = b.run(b.prog('notify', `${perf('0xeffffffff', 8, 0)}\nr0 = 0\nexit`));
    expect(r.fault).toBeUndefined();
    expect(b.result(0)).toBe(0n);
    expect(stream.records).toHaveLength(1);
    const e = stream.records[0];
    expect(e.kind).toBe('perf');
    expect(e.cpu).toBe(0);
    expect(hex(e.data)).toBe('0807060504030201');
    expect(e.kind === 'perf' && hex(e.sample)).toBe(hex(frame().subarray(0, 14)));
    expect(hex(map.records[0][0])).toBe(`0807060504030201${hex(frame().subarray(0, 14))}`);
    expect(eventToJson(e)).toMatchObject({ kind: 'perf', map: 'events', cpu: 0, prog: 'notify', data: '0807060504030201' });
    expect(formatEvent(e)).toMatch(/perf events cpu0 notify: 8 bytes 0807060504030201 \+ 14 packet bytes 0200/);
  });

  it('returns the kernel errno: bad flag bits, ctx_len past skb->len, index out of range / other CPU / no CPU', () => {
    const { b, stream } = bench();
    const asm = [
      perf('0x10000000000000', 8, 0), // bit 52: outside INDEX_MASK | CTXLEN_MASK
      perf('0xfffff00000000', 8, 1), // ctx_len 0xfffff > len
      perf('5', 8, 2), // index >= max_entries
      perf('1', 8, 3), // another CPU's slot
      perf('3', 8, 4), // a slot with no CPU behind it
      perf('0', 0, 5), // this CPU's slot, size 0
      'r0 = 0',
      'exit',
    ].join('\n');
    b.run(b.prog('errs', asm));
    expect(b.results(6)).toEqual([-22n, -14n, -7n, -95n, -2n, 0n]);
    expect(stream.records).toHaveLength(1);
    expect(stream.records[0].data).toHaveLength(0);
  });
});

/** r0 = ringbuf_reserve(rb, size, flags) */
const reserve = (size: number, flags = 0): string => `
    r1 = map[rb] ll
    r2 = ${size}
    r3 = ${flags}
    call bpf_ringbuf_reserve`;

describe('ring buffer helpers', () => {
  const bench = (): { b: Bench; stream: EventStream; rb: RingBufMap } => {
    const b = new Bench();
    const rb = b.map('rb', { type: BPF_MAP_TYPE.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 }) as RingBufMap;
    return { b, stream: withStream(b), rb };
  };

  it('reserve gives a pointer into the ring; submit publishes it, discard drops it; output copies', () => {
    const { b, stream, rb } = bench();
    const p = b.prog('rb', `
      ${reserve(16)}
      if r0 == 0 goto fail
      *(u32 *)(r0 + 0) = 0xaabbccdd
      *(u32 *)(r0 + 12) = 7
      r1 = r0
      r2 = 0
      call bpf_ringbuf_submit
      ${reserve(8)}
      if r0 == 0 goto fail
      r1 = r0
      r2 = 0
      call bpf_ringbuf_discard
      r1 = 0x1122334455667788 ll
      *(u64 *)(r10 - 24) = r1
      r1 = map[rb] ll
      r2 = r10
      r2 += -24
      r3 = 8
      r4 = 0
      call bpf_ringbuf_output
      ${save(0)}
      r1 = map[rb] ll
      r2 = 1
      call bpf_ringbuf_query
      ${save(1)}
      r1 = map[rb] ll
      r2 = 0
      call bpf_ringbuf_query
      ${save(2)}
      r0 = 0
      exit
    fail:
      r0 = 1
      exit`);
    expect(b.run(p).retval).toBe(0);
    expect(stream.records.map((e) => [e.kind, hex(e.data)])).toEqual([
      ['ringbuf', 'ddccbbaa000000000000000007000000'],
      ['ringbuf', '8877665544332211'],
    ]);
    // RING_SIZE, then AVAIL_DATA: the stream consumed everything
    expect(b.results(3)).toEqual([0n, 4096n, 0n]);
    expect(rb.query(2)).toBe(rb.query(3));
  });

  it('reserve is NULL for flags or a record larger than the ring; output refuses unknown flags', () => {
    const { b } = bench();
    const p = b.prog('rb', `
      ${reserve(8, 1)}
      ${save(0)}
      ${reserve(4096)}
      ${save(1)}
      r1 = map[rb] ll
      r2 = r10
      r2 += -24
      r3 = 8
      r4 = 4
      call bpf_ringbuf_output
      ${save(2)}
      r0 = 0
      exit`);
    b.run(p);
    expect(b.results(3)).toEqual([0n, 0n, -22n]);
  });

  it('without a live reader the ring fills: reserve NULL, output -EAGAIN, samples stay for consume()', () => {
    const { b, stream, rb } = bench();
    stream.consumeRingbufs = false;
    const p = b.prog('rb', `
      r1 = map[rb] ll
      r2 = r10
      r2 += -24
      r3 = 8
      r4 = 0
      call bpf_ringbuf_output
      ${save(0)}
      ${reserve(4072)}
      ${save(1)}
      r1 = map[rb] ll
      r2 = 0
      call bpf_ringbuf_query
      ${save(2)}
      r0 = 0
      exit`);
    b.run(p);
    const [first, second, avail] = b.results(3);
    expect(first).toBe(0n);
    expect(second).toBe(0n); // 16 + 4080 bytes do not fit: the ring keeps one byte free
    expect(avail).toBe(16n);
    b.run(p); // another 16 bytes
    expect(rb.consume()).toHaveLength(2);
    expect(stream.records).toHaveLength(0);
  });

  it('faults on a second submit of the same sample (the verifier tracks the reference)', () => {
    const { b } = bench();
    const p = b.prog('rb', `
      ${reserve(8)}
      if r0 == 0 goto +7
      r6 = r0
      r1 = r0
      r2 = 0
      call bpf_ringbuf_submit
      r1 = r6
      r2 = 0
      call bpf_ringbuf_submit
      r0 = 0
      exit`);
    expect(b.run(p).fault?.detail).toMatch(/already submitted or discarded/);
  });
});
