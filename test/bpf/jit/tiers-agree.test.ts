// tiers-agree.test.ts: paths the interpreter and the compiled tier share (interp/calls.ts):
// a bpf_tail_call reached through `callx` of a helper id, and the fell-off-the-end fault text.
// Each case states the expected outcome and checks both tiers reach it.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../../src/bpf/asm/index.js';
import type { Insn } from '../../../src/bpf/insn.js';
import { Vm, type Executable, type RunResult } from '../../../src/bpf/vm.js';
import { engineOf, runProgram } from '../../../src/bpf/jit/index.js';

const BPF_FUNC_tail_call = 12;

/** Runs `insns` on the interpreter and (compiled at once) on the compiled tier. */
function tiers(insns: Insn[], setup: (vm: Vm) => void = () => {}, r1 = 3n): RunResult[] {
  return [false, true].map((compiled) => {
    const vm = new Vm();
    setup(vm);
    const exe: Executable = { name: 'prog', insns };
    const r = compiled ? runProgram(vm, exe, r1, { hotRuns: 0 }) : vm.run(exe, r1);
    if (compiled) expect(engineOf(exe).engine).toBe('compiled');
    return r;
  });
}

describe('callx of the tail-call helper', () => {
  const target: Executable = { name: 'target', insns: assemble('r0 = r1\nr0 += 1000\nexit') };
  const tailTo = (vm: Vm): void => {
    vm.helpers[BPF_FUNC_tail_call] = (m) => {
      if (m.tailCallCount < 1) {
        m.tailCallCount++;
        m.tailCallTarget = target;
      }
    };
    vm.helpers[7] = (m) => {
      m.regs[0] = 7;
      m.regs[1] = 0;
    };
  };
  it('continues in the target right after the helper returns, as `call 12` does', () => {
    for (const r of tiers(assemble('r2 = 12\ncallx r2\nr0 = -1\nexit'), tailTo)) {
      expect(r.fault).toBeUndefined();
      expect(r.r0).toBe(1003);
    }
  });
  it('is not picked up later by another helper call', () => {
    for (const r of tiers(assemble('r2 = 12\ncallx r2\nr1 = 50\ncall 7\nr0 += 1\nexit'), tailTo)) {
      expect(r.r0).toBe(1003);
    }
  });
  it('from a subprogram reached through callx, the target replaces that frame', () => {
    const insns = assemble('call f\nr0 += 1\nexit\nf:\nr2 = 12\ncallx r2\nr0 = -1\nexit');
    for (const r of tiers(insns, tailTo)) expect(r.r0).toBe(1004);
  });
});

describe('fault texts', () => {
  it('falling off the end reads the same on both tiers', () => {
    const [a, b] = tiers(assemble('r0 = 1\nr0 += 1'));
    expect(a.fault?.kind).toBe('fell_off_end');
    expect(b.fault?.describe()).toBe(a.fault?.describe());
    expect(b.insnCount).toBe(a.insnCount);
  });
  it('callx to a target outside the program reads the same on both tiers', () => {
    const [a, b] = tiers(assemble('r2 = 0x4b00000028 ll\ncallx r2\nexit'));
    expect(a.fault?.kind).toBe('jump_out_of_range');
    expect(b.fault?.describe()).toBe(a.fault?.describe());
  });
});
