// describe.test.ts: how traces spell register values (src/bpf/trace/describe.ts) and how a
// tail-call chain that hits MAX_TAIL_CALL_CNT reads in the trace.
import { describe, expect, it } from 'vitest';
import { TAG_CTX, TAG_FUNC, TAG_STACK0 } from '../../../src/bpf/memory.js';
import { BPF_MAP_TYPE } from '../../../src/bpf/spec.js';
import { PacketTracer, describeScalar, describeValue, formatRun } from '../../../src/bpf/trace/index.js';
import { Vm } from '../../../src/bpf/vm.js';
import { Bench, u32le } from './harness.js';

describe('describeValue', () => {
  it('spells scalars: decimal to 65535, hex above, small negatives signed', () => {
    expect(describeScalar(42, 0)).toBe('42');
    expect(describeScalar(0xc0ffee, 0)).toBe('0xc0ffee');
    expect(describeScalar(-22, -1)).toBe('-22');
    expect(describeScalar(0, 0x12345)).toBe('0x1234500000000');
  });
  it('names ctx, stack frames and functions', () => {
    const vm = new Vm();
    expect(describeValue(vm, 0, TAG_CTX)).toBe('ctx');
    expect(describeValue(vm, 16, TAG_CTX)).toBe('ctx+16');
    expect(describeValue(vm, 496, TAG_STACK0)).toBe('stack-16');
    expect(describeValue(vm, 504, TAG_STACK0 + 1)).toBe('stack1-8');
    expect(describeValue(vm, 12, TAG_FUNC)).toBe('func@12');
  });
});

describe('trace of a tail-call chain', () => {
  it('shows 33 tail calls and the one refused at MAX_TAIL_CALL_CNT', () => {
    const b = new Bench();
    const arr = b.map('loop_arr', { type: BPF_MAP_TYPE.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    const p = b.prog('self_loop', 'r2 = map[loop_arr] ll\nr3 = 0\ncall bpf_tail_call\nr0 = 2\nexit');
    arr.update(u32le(0), u32le(p.id));
    const tracer = new PacketTracer();
    tracer.attach(b.sim.vm);
    tracer.beginRun(p, 'eth0 ingress');
    const r = b.run(p);
    const run = tracer.endRun({ r0: r.retval | 0, insnCount: r.insnCount, fault: r.fault });
    expect(run.progs).toHaveLength(34);
    const lines = formatRun(run).split('\n');
    expect(lines[0]).toBe(`#1 eth0 ingress  self_loop(id ${p.id})  r0=2 SHOT  ${34 * 3 + 2} insns`);
    expect(lines[1]).toBe(`  tail_call(ctx, map:loop_arr, 0) -> self_loop(id ${p.id})`);
    expect(lines).toHaveLength(35);
    expect(lines[34]).toBe('  tail_call(ctx, map:loop_arr, 0) -> fall through (MAX_TAIL_CALL_CNT reached)');
  });
});
