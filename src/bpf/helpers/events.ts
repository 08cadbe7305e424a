// events.ts: how programs talk to user space: bpf_perf_event_output (the skb variant,
// net/core/filter.c bpf_skb_event_output -> kernel/trace/bpf_trace.c __bpf_perf_event_output)
// and the ring buffer helpers (kernel/bpf/ringbuf.c). Samples land in the maps (PerfEventArrayMap
// records, RingBufMap ring) and, when the environment carries an EventStream, in that stream.
import { ERRNO } from '../../errors.js';
import { PerfEventArrayMap } from '../maps/perf-event-array.js';
import { BPF_RINGBUF_BUSY_BIT, BPF_RINGBUF_HDR_SZ, RingBufMap } from '../maps/ringbuf.js';
import type { EventStream } from '../trace/event-stream.js';
import type { Vm } from '../vm.js';
import { envOf, type HelperEnv } from './env.js';
import { mapArg } from './maps.js';
import { argU32, defineHelper, helperFault, memArg, retS64, retU64 } from './registry.js';

export const BPF_FUNC_perf_event_output = 25;
export const BPF_FUNC_ringbuf_output = 130;
export const BPF_FUNC_ringbuf_reserve = 131;
export const BPF_FUNC_ringbuf_submit = 132;
export const BPF_FUNC_ringbuf_discard = 133;
export const BPF_FUNC_ringbuf_query = 134;

/** BPF_F_CTXLEN_MASK (bits 32..51 of flags), as a mask of the high half. */
const CTXLEN_MASK_HI = 0xfffff;

const EMPTY_ARG = { region: { bytes: new Uint8Array(0) }, offset: 0 };

function streamOf(vm: Vm): EventStream | undefined {
  return envOf(vm).events;
}

function ringbufArg(vm: Vm, i: number, helper: number): RingBufMap {
  const map = mapArg(vm, i, helper);
  if (!(map instanceof RingBufMap)) {
    throw helperFault(vm, helper, `${map.describe()} is not a ring buffer (the verifier refuses this)`);
  }
  return map;
}

defineHelper({
  id: BPF_FUNC_perf_event_output,
  gplOnly: true,
  fn: (vm) => {
    const map = mapArg(vm, 2, BPF_FUNC_perf_event_output);
    if (!(map instanceof PerfEventArrayMap)) {
      throw helperFault(vm, BPF_FUNC_perf_event_output, `${map.describe()} is not a perf event array (the verifier refuses this)`);
    }
    const size = vm.regs[11] !== 0 ? -1 : argU32(vm, 5);
    if (size < 0) throw helperFault(vm, BPF_FUNC_perf_event_output, 'size over 4 GiB (the verifier refuses this)');
    // ARG_CONST_SIZE_OR_ZERO: with size 0 the pointer may be anything (even NULL)
    const data = size === 0 ? EMPTY_ARG : memArg(vm, 4, size, false);
    const flagsHi = vm.regs[7] >>> 0;
    if (flagsHi & ~CTXLEN_MASK_HI) return retS64(vm, -ERRNO.EINVAL);
    const env = envOf(vm);
    const skb = env.skb;
    const ctxLen = flagsHi & CTXLEN_MASK_HI;
    if (ctxLen > skb.len) return retS64(vm, -ERRNO.EFAULT);
    const record = new Uint8Array(size + ctxLen);
    record.set(data.region.bytes.subarray(data.offset, data.offset + size));
    record.set(skb.buf.subarray(skb.data, skb.data + ctxLen), size);
    const r = map.output(argU32(vm, 3), env.cpu, record);
    if (r === 0) {
      streamOf(vm)?.push({
        kind: 'perf',
        map: map.name,
        mapId: map.id,
        cpu: env.cpu,
        prog: vm.current?.name ?? env.progName,
        timeNs: env.clock.monotonicNs,
        data: record.subarray(0, size),
        sample: record.subarray(size),
      });
    }
    retS64(vm, r);
  },
});

/** The stream, when present and draining, reads every committed sample at once (a live reader). */
function drain(vm: Vm, map: RingBufMap): void {
  const stream = streamOf(vm);
  if (stream === undefined || !stream.consumeRingbufs) return;
  const env = envOf(vm);
  for (const data of map.consume()) {
    stream.push({ kind: 'ringbuf', map: map.name, mapId: map.id, cpu: env.cpu, prog: vm.current?.name ?? env.progName, timeNs: env.clock.monotonicNs, data });
  }
}

defineHelper({
  id: BPF_FUNC_ringbuf_output,
  fn: (vm) => {
    const map = ringbufArg(vm, 1, BPF_FUNC_ringbuf_output);
    const size = vm.regs[7] !== 0 ? -1 : argU32(vm, 3);
    if (size < 0) throw helperFault(vm, BPF_FUNC_ringbuf_output, 'size over 4 GiB (the verifier refuses this)');
    const data = size === 0 ? EMPTY_ARG : memArg(vm, 2, size, false);
    // flags are a u64: any high bit is outside NO_WAKEUP | FORCE_WAKEUP
    if (vm.regs[9] !== 0) return retS64(vm, -ERRNO.EINVAL);
    const r = map.output(data.region.bytes, data.offset, size, argU32(vm, 4));
    if (r === 0) drain(vm, map);
    retS64(vm, r);
  },
});

// bpf_ringbuf_reserve: NULL for any flag, a size over RINGBUF_MAX_RECORD_SZ or no room.
defineHelper({
  id: BPF_FUNC_ringbuf_reserve,
  fn: (vm) => {
    const map = ringbufArg(vm, 1, BPF_FUNC_ringbuf_reserve);
    const sizeOk = vm.regs[5] === 0;
    const flagsOk = vm.regs[6] === 0 && vm.regs[7] === 0;
    const at = sizeOk && flagsOk ? map.reserve(argU32(vm, 2), 0) : -1;
    if (at < 0) {
      vm.regs[0] = 0;
      vm.regs[1] = 0;
    } else {
      vm.regs[0] = at;
      vm.regs[1] = map.valueTag;
    }
  },
});

/** Which ring buffer a sample pointer belongs to: (data region tag -> map), cached per map set. */
const byTag = new WeakMap<ReadonlyMap<number, unknown>, Map<number, RingBufMap>>();

function sampleOwner(vm: Vm, helper: number): { map: RingBufMap; offset: number } {
  const maps = envOf(vm).maps;
  const tag = vm.regs[3];
  let index = byTag.get(maps);
  let map = index?.get(tag);
  if (map === undefined) {
    index = new Map();
    for (const m of maps.values()) if (m instanceof RingBufMap) index.set(m.valueTag, m);
    byTag.set(maps, index);
    map = index.get(tag);
  }
  const offset = vm.regs[2];
  const hdr = offset - BPF_RINGBUF_HDR_SZ;
  if (map === undefined || hdr < 0 || hdr + BPF_RINGBUF_HDR_SZ > map.data.length) {
    throw helperFault(vm, helper, 'r1 is not a sample from bpf_ringbuf_reserve (the verifier refuses this)');
  }
  const len = (map.data[hdr] | (map.data[hdr + 1] << 8) | (map.data[hdr + 2] << 16) | (map.data[hdr + 3] << 24)) >>> 0;
  if (!(len & BPF_RINGBUF_BUSY_BIT)) {
    throw helperFault(vm, helper, "sample was already submitted or discarded (the verifier's reference tracking refuses this)");
  }
  return { map, offset };
}

// submit/discard return void; wakeup flags (NO_WAKEUP, FORCE_WAKEUP) only affect the poller.
defineHelper({
  id: BPF_FUNC_ringbuf_submit,
  fn: (vm) => {
    const { map, offset } = sampleOwner(vm, BPF_FUNC_ringbuf_submit);
    map.commit(offset, false);
    drain(vm, map);
    retS64(vm, 0);
  },
});

defineHelper({
  id: BPF_FUNC_ringbuf_discard,
  fn: (vm) => {
    const { map, offset } = sampleOwner(vm, BPF_FUNC_ringbuf_discard);
    map.commit(offset, true);
    drain(vm, map);
    retS64(vm, 0);
  },
});

defineHelper({
  id: BPF_FUNC_ringbuf_query,
  fn: (vm) => {
    const map = ringbufArg(vm, 1, BPF_FUNC_ringbuf_query);
    const flags = vm.regs[5] !== 0 ? -1 : argU32(vm, 2);
    retU64(vm, BigInt(flags < 0 ? 0 : map.query(flags)));
  },
});
