// tracer.test.ts: the per-packet trace (src/bpf/trace): the traced helper table is swapped in and
// out without touching the plain one, every helper call is recorded with described arguments and
// result, map writes carry key and value bytes, tail calls name both programs (or why they fell
// through), callbacks nest, faults are kept, and the human format reads as documented.
import { describe, expect, it } from 'vitest';
import { BPF_MAP_TYPE } from '../../../src/bpf/spec.js';
import { PacketTracer, formatRun, formatTrace, type RunTrace } from '../../../src/bpf/trace/index.js';
import type { Program } from '../../../src/sim/program.js';
import { Bench, frame, u32le } from './harness.js';

/** Counts the packet in flows[protocol] (insert on first sight), then tail-calls jmp[protocol]. */
const DISPATCH = `
    r6 = r1
    w1 = *(u32 *)(r6 + 76)
    w2 = *(u32 *)(r6 + 80)
    r3 = r1
    r3 += 34
    if r3 > r2 goto out
    r1 = r1
    w7 = *(u8 *)(r1 + 23)
    *(u32 *)(r10 - 16) = w7
    r1 = map[flows] ll
    r2 = r10
    r2 += -16
    call bpf_map_lookup_elem
    if r0 != 0 goto found
    r1 = 1
    *(u64 *)(r10 - 24) = r1
    r1 = map[flows] ll
    r2 = r10
    r2 += -16
    r3 = r10
    r3 += -24
    r4 = 1
    call bpf_map_update_elem
    goto jump
found:
    r1 = *(u64 *)(r0 + 0)
    r1 += 1
    *(u64 *)(r0 + 0) = r1
jump:
    r1 = r6
    r2 = map[jmp_table] ll
    r3 = r7
    call bpf_tail_call
out:
    r0 = 100
    exit`;

function setup(): { b: Bench; tracer: PacketTracer; dispatch: Program; tcp: Program; trace: (data?: Uint8Array) => RunTrace } {
  const b = new Bench();
  b.map('flows', { type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 8, maxEntries: 16 });
  const jmp = b.map('jmp_table', { type: BPF_MAP_TYPE.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 32 });
  const dispatch = b.prog('dispatch', DISPATCH);
  const tcp = b.prog('tail_tcp', 'r0 = 7\nexit');
  jmp.update(u32le(6), u32le(tcp.id));
  const tracer = new PacketTracer();
  const trace = (data = frame()): RunTrace => {
    tracer.beginPacket();
    tracer.beginRun(dispatch, 'eth0 ingress');
    const r = b.run(dispatch, data);
    return tracer.endRun({ r0: r.retval | 0, insnCount: r.insnCount, fault: r.fault });
  };
  return { b, tracer, dispatch, tcp, trace };
}

describe('PacketTracer', () => {
  it('swaps a traced helper table in and the plain one back; nothing is recorded when detached', () => {
    const { b, tracer, trace } = setup();
    const vm = b.sim.vm;
    const plain = vm.helpers.slice();
    tracer.attach(vm);
    expect(vm.helpers[1]).not.toBe(plain[1]);
    tracer.attach(vm);
    const traced = vm.helpers.slice();
    tracer.detach(vm);
    expect(vm.helpers.length).toBe(plain.length);
    expect(vm.helpers.findIndex((f, i) => f !== plain[i])).toBe(-1);
    tracer.attach(vm);
    expect(vm.helpers.every((f, i) => f === traced[i])).toBe(true); // built once
    tracer.detach(vm);
    const run = trace();
    expect(run.events).toEqual([]);
    expect(run.r0).toBe(7);
  });

  it('records helper calls, the map write, the tail call, the verdict and the instruction count', () => {
    const { b, tracer, dispatch, tcp, trace } = setup();
    tracer.attach(b.sim.vm);
    const run = trace();
    expect(run).toMatchObject({ packet: 1, hook: 'eth0 ingress', prog: { name: 'dispatch', id: dispatch.id }, r0: 7, verdict: 'REDIRECT' });
    expect(run.progs).toEqual([
      { name: 'dispatch', id: dispatch.id },
      { name: 'tail_tcp', id: tcp.id },
    ]);
    expect(run.insns).toBeGreaterThan(20);
    expect(run.events).toEqual([
      { kind: 'helper', pc: 13, prog: 'dispatch', depth: 0, helper: 'bpf_map_lookup_elem', id: 1, args: ['map:flows', 'stack-16'], ret: 'NULL' },
      { kind: 'helper', pc: 24, prog: 'dispatch', depth: 0, helper: 'bpf_map_update_elem', id: 2, args: ['map:flows', 'stack-16', 'stack-24', '1'], ret: '0' },
      { kind: 'map_write', pc: 24, prog: 'dispatch', depth: 0, op: 'update', map: 'flows', key: '06000000', value: '0100000000000000' },
      { kind: 'tail_call', pc: 33, prog: 'dispatch', depth: 0, from: { name: 'dispatch', id: dispatch.id }, map: 'map:jmp_table', index: 6, to: { name: 'tail_tcp', id: tcp.id }, miss: undefined, count: 1 },
    ]);
    const again = trace();
    expect(again.packet).toBe(2);
    expect(again.events[0]).toMatchObject({ helper: 'bpf_map_lookup_elem', ret: 'map:flows+0' });
    expect(JSON.parse(JSON.stringify(tracer.runs))).toHaveLength(2);
  });

  it('formats runs compactly', () => {
    const { b, tracer, dispatch, tcp, trace } = setup();
    tracer.attach(b.sim.vm);
    const run = trace();
    expect(formatRun(run)).toBe(
      [
        `#1 eth0 ingress  dispatch(id ${dispatch.id})  r0=7 REDIRECT  ${run.insns} insns`,
        '  bpf_map_lookup_elem(map:flows, stack-16) = NULL',
        '  bpf_map_update_elem(map:flows, stack-16, stack-24, 1) = 0',
        '    flows[06000000] <- 0100000000000000',
        `  tail_call(ctx, map:jmp_table, 6) -> tail_tcp(id ${tcp.id})`,
      ].join('\n'),
    );
    const udp = frame();
    udp[23] = 17;
    const miss = trace(udp);
    expect(formatTrace([miss]).split('\n')).toEqual([
      `#2 eth0 ingress  dispatch(id ${dispatch.id})  r0=100  ${miss.insns} insns`,
      '  bpf_map_lookup_elem(map:flows, stack-16) = NULL',
      '  bpf_map_update_elem(map:flows, stack-16, stack-24, 1) = 0',
      '    flows[11000000] <- 0100000000000000',
      '  tail_call(ctx, map:jmp_table, 17) -> fall through (empty slot)',
    ]);
  });

  it('names why a tail call fell through: index past max_entries (not counted) or an empty slot (counted)', () => {
    const { b, tracer, trace } = setup();
    tracer.attach(b.sim.vm);
    const gre = frame();
    gre[23] = 47; // >= max_entries 32
    expect(trace(gre).events.at(-1)).toMatchObject({ kind: 'tail_call', index: 47, to: null, miss: 'index', count: 0 });
    const udp = frame();
    udp[23] = 17;
    expect(trace(udp).events.at(-1)).toMatchObject({ kind: 'tail_call', index: 17, to: null, miss: 'empty', count: 1 });
    expect(trace().events.at(-1)).toMatchObject({ kind: 'tail_call', index: 6, miss: undefined, count: 1 });
  });

  it('keeps only the newest maxRuns runs, oldest first, however many were recorded', () => {
    const b = new Bench();
    const p = b.prog('ok', 'r0 = 0\nexit');
    const tracer = new PacketTracer({ maxRuns: 3 });
    for (let n = 1; n <= 10; n++) {
      tracer.beginPacket();
      tracer.beginRun(p, 'eth0 ingress');
      tracer.endRun({ r0: 0, insnCount: 2, fault: undefined });
      const from = Math.max(1, n - 2);
      expect(tracer.runs.map((r) => r.packet)).toEqual(Array.from({ length: n - from + 1 }, (_, k) => from + k));
    }
    for (let n = 11; n <= 17; n++) {
      tracer.beginPacket();
      tracer.beginRun(p, 'eth0 ingress');
      tracer.endRun({ r0: 0, insnCount: 2, fault: undefined });
    }
    expect(tracer.runs.map((r) => r.packet)).toEqual([15, 16, 17]);
  });

  it('shows errno names, packet pointers, callback depth and faults', () => {
    const b = new Bench();
    b.map('arr', { type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 2 });
    const p = b.prog('cb', `
      r6 = r1
      w1 = *(u32 *)(r6 + 76)
      w2 = *(u32 *)(r6 + 80)
      r1 += 14
      r3 = r1
      r3 += 4
      if r3 > r2 goto +7
      r2 = r1
      r1 = map[arr] ll
      r3 = r10
      r3 += -8
      r4 = 0
      call bpf_map_update_elem
      r1 = map[arr] ll
      r2 = func[visit] ll
      r3 = 0
      r4 = 0
      call bpf_for_each_map_elem
      r0 = *(u32 *)(r6 + 4096)
      exit
    visit:
      call bpf_map_delete_elem
      r0 = 0
      exit`);
    const tracer = new PacketTracer();
    tracer.attach(b.sim.vm);
    tracer.beginRun(p, 'tcx/ingress veth0');
    const r = b.run(p);
    const run = tracer.endRun({ r0: r.retval | 0, insnCount: r.insnCount, fault: r.fault });
    const text = formatRun(run).split('\n');
    expect(text).toEqual([
      `#1 tcx/ingress veth0  cb(id ${p.id})  r0=0  ${run.insns} insns`,
      '  bpf_map_update_elem(map:arr, pkt+14, stack-8, 0) = -7 (E2BIG)',
      '  bpf_for_each_map_elem(map:arr, func@23, 0, 0) = 2',
      '    bpf_map_delete_elem(map:arr, for_each_map_elem_key) = -22 (EINVAL)',
      '    bpf_map_delete_elem(map:arr, for_each_map_elem_key) = -22 (EINVAL)',
      expect.stringMatching(/^ {2}FAULT ctx_access at insn 21 /),
    ]);
    expect(run.events[2]).toMatchObject({ helper: 'bpf_map_delete_elem', depth: 1, prog: 'cb' });
    expect(run.verdict).toBe('fault');
    expect(run.fault?.kind).toBe('ctx_access');
  });
});
