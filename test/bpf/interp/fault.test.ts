// fault.test.ts: every BpfFault kind the interpreter raises stops the run (never throws out of
// run()) and names the instruction index, its text, and for memory faults region/offset/size.
import { describe, expect, it } from 'vitest';
import { BpfFault } from '../../../src/bpf/fault.js';
import { insn } from '../../../src/bpf/insn.js';
import { Region } from '../../../src/bpf/memory.js';
import * as op from '../../../src/bpf/opcodes.js';
import { setInsnDisassembler } from '../../../src/bpf/interp/describe.js';
import { pointer, type Vm } from '../../../src/bpf/vm.js';
import { alu64, alu64r, atomic, call, callLocal, callx, exit, ja, jmp, lddw, ldx, mov64, mov64r, runProg, st, stx } from './prog.js';

function faultOf(items: Parameters<typeof runProg>[0], setup?: Parameters<typeof runProg>[1]): BpfFault {
  const { r } = runProg(items, setup);
  expect(r.fault).toBeInstanceOf(BpfFault);
  return r.fault as BpfFault;
}

const mem = (size: number, writable = true) => (vm: Vm) => pointer(vm.memory.addStatic(new Region('buf', new Uint8Array(size), writable)), 0);

describe('memory faults', () => {
  it('out_of_bounds names region, offset and size', () => {
    const f = faultOf([mov64(0, 0), ldx('w', 0, 1, 6), exit()], mem(8));
    expect([f.kind, f.pc, f.region, f.offset, f.size]).toEqual(['out_of_bounds', 1, 'buf', 6, 4]);
    expect(f.describe()).toBe('out_of_bounds at insn 1 (w0 = *(u32 *)(r1 + 6)): 4-byte read at offset 6 of buf (8 bytes)');
    expect(faultOf([st('b', 10, 0, 1), exit()]).kind).toBe('out_of_bounds'); // at r10 itself
    expect(faultOf([ldx('b', 0, 10, -513), exit()]).kind).toBe('out_of_bounds');
    expect(faultOf([alu64(op.BPF_ADD, 1, 8), atomic('dw', 1, 2, 0, op.BPF_ADD), exit()], mem(8)).kind).toBe('out_of_bounds');
  });
  it('null_dereference: NULL, a scalar, an unknown tag, a map pointer', () => {
    expect(faultOf([mov64(1, 0), ldx('b', 0, 1, 0), exit()]).kind).toBe('null_dereference');
    expect(faultOf([mov64(1, 1234), stx('w', 1, 1, 0), exit()]).kind).toBe('null_dereference');
    expect(faultOf([lddw(1, pointer(9999, 0)), ldx('b', 0, 1, 0), exit()]).kind).toBe('null_dereference');
    expect(faultOf([lddw(1, -8n), ldx('b', 0, 1, 0), exit()]).kind).toBe('null_dereference');
    expect(faultOf([lddw(1, pointer(74, 0)), ldx('b', 0, 1, 0), exit()]).detail).toContain('map pointer');
  });
  it('read_only: a store into a read-only region', () => {
    const f = faultOf([st('b', 1, 0, 1), exit()], mem(4, false));
    expect([f.kind, f.region]).toEqual(['read_only', 'buf']);
    expect(faultOf([stx('w', 1, 1, 0), exit()], mem(4, false)).kind).toBe('read_only');
    expect(faultOf([atomic('w', 1, 2, 0, op.BPF_ADD), exit()], mem(4, false)).kind).toBe('read_only');
  });
  it('stale_packet_pointer: a packet pointer used after the packet was replaced', () => {
    const g = faultOf([lddw(6, pointer(10, 0)), call(44), ldx('b', 0, 6, 0), exit()], (vm) => {
      vm.memory.resetPacket(new Region('packet', new Uint8Array(64), true));
      vm.helpers[44] = (m) => {
        m.memory.replacePacket(new Region('packet', new Uint8Array(80), true), 'bpf_skb_change_tail');
      };
      return undefined;
    });
    expect([g.kind, g.pc]).toEqual(['stale_packet_pointer', 3]);
    expect(g.detail).toContain('bpf_skb_change_tail');
  });
});

describe('instruction faults', () => {
  it('unknown_opcode, including an opcode whose slot is never valid', () => {
    for (const code of [0x00, 0x0d, 0x8e, 0xe7, 0xf4, 0x9d, 0x38, 0xe3, 0x99]) {
      const f = faultOf([mov64(0, 0), insn(code, 0, 0, 0, 0), exit()]);
      expect(f.kind, `0x${code.toString(16)}`).toBe('unknown_opcode');
      expect(f.pc).toBe(1);
    }
  });
  it('bad_instruction: a register above r10, a write to r10, a bad width or offset', () => {
    expect(faultOf([insn(0xb7, 11, 0, 0, 1), exit()]).kind).toBe('bad_instruction');
    expect(faultOf([mov64r(0, 12), exit()]).detail).toContain('r12');
    expect(faultOf([mov64(10, 0), exit()]).detail).toContain('r10');
    expect(faultOf([insn(0xdc, 0, 0, 0, 24), exit()]).kind).toBe('bad_instruction');
    expect(faultOf([alu64(op.BPF_DIV, 0, 1, 2), exit()]).kind).toBe('bad_instruction');
    expect(faultOf([insn(0xbf, 0, 1, 7), exit()]).kind).toBe('bad_instruction');
    expect(faultOf([atomic('dw', 10, 1, -8, 0x77), exit()]).kind).toBe('bad_instruction');
  });
  it('a bad slot faults only when reached', () => {
    const { r } = runProg([mov64(0, 3), exit(), insn(0xff, 0, 0, 0, 0)]);
    expect(r.fault).toBeUndefined();
    expect(r.r0u64).toBe(3n);
  });
  it('jump_out_of_range: jumps, gotol, calls past either end or into an lddw', () => {
    expect(faultOf([ja(5), exit()]).kind).toBe('jump_out_of_range');
    expect(faultOf([mov64(0, 0), jmp(op.BPF_JEQ, 0, 0, -3), exit()]).kind).toBe('jump_out_of_range');
    expect(faultOf([ja(1), lddw(0, 1n), exit()]).kind).toBe('jump_out_of_range');
    expect(faultOf([insn(op.BPF_JMP32 | op.BPF_JA, 0, 0, 0, 100), exit()]).kind).toBe('jump_out_of_range');
    expect(faultOf([callLocal(9), exit()]).kind).toBe('jump_out_of_range');
    expect(faultOf([lddw(3, pointer(75, 40)), callx(3), exit()]).kind).toBe('jump_out_of_range');
  });
  it('insn_limit: a runaway loop', () => {
    const f = faultOf([ja(-1)]);
    expect(f.kind).toBe('insn_limit');
    expect(f.describe()).toContain('1000000');
  });
  it('call_depth: unbounded recursion', () => {
    const f = faultOf([callLocal(-1), exit()]);
    expect([f.kind, f.pc]).toEqual(['call_depth', 0]);
  });
  it('unknown_helper: a helper id with no function, a kfunc, callx of a scalar', () => {
    expect(faultOf([call(99999), exit()]).kind).toBe('unknown_helper');
    expect(faultOf([call(-1), exit()]).kind).toBe('unknown_helper');
    expect(faultOf([insn(0x85, 0, op.BPF_PSEUDO_KFUNC_CALL, 0, 7), exit()]).kind).toBe('unknown_helper');
    expect(faultOf([lddw(2, 0x100000005n), callx(2), exit()]).kind).toBe('unknown_helper');
  });
  it('helper_fault: a helper that throws, with or without a pc, never escapes run()', () => {
    const f = faultOf([mov64(0, 0), call(3), exit()], (vm) => {
      vm.helpers[3] = () => {
        throw new TypeError('boom');
      };
    });
    expect([f.kind, f.pc]).toEqual(['helper_fault', 1]);
    expect(f.detail).toContain('boom');
    const g = faultOf([mov64(0, 0), call(3), exit()], (vm) => {
      vm.helpers[3] = () => {
        throw new BpfFault('helper_fault', -1, 'map pointer expected in r1');
      };
    });
    expect(g.pc).toBe(1);
    expect(g.insnText).not.toBe('');
  });
  it('fell_off_end: running past the last instruction', () => {
    const f = faultOf([mov64(0, 0), alu64r(op.BPF_ADD, 0, 0)]);
    expect([f.kind, f.pc]).toEqual(['fell_off_end', 2]);
  });
  it('names the instruction with the disassembler, or raw fields without one', () => {
    expect(faultOf([mov64(0, 0), ldx('b', 0, 0, 0), exit()]).insnText).toBe('w0 = *(u8 *)(r0 + 0)');
    setInsnDisassembler(null);
    try {
      expect(faultOf([mov64(0, 0), ldx('b', 0, 0, 0), exit()]).insnText).toBe('code=0x71 dst=r0 src=r0 off=0 imm=0');
    } finally {
      setInsnDisassembler(undefined);
    }
  });
});
