// engine.test.ts: the compiled tier's contract beyond random programs: engine choice and the
// compile-when-hot policy, fallback reasons, the switch-loop shape for irreducible graphs, tail
// calls, callx, LD_ABS/LD_IND, context handlers, callbacks through vm.invoke, call depth and the
// exact instruction budget; every case is checked against the interpreter.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../../src/bpf/asm/index.js';
import { BpfFault } from '../../../src/bpf/fault.js';
import type { Insn } from '../../../src/bpf/insn.js';
import { Region, TAG_CTX, TAG_FUNC, type CtxHandler } from '../../../src/bpf/memory.js';
import { pointer, Vm, type Executable, type RunResult } from '../../../src/bpf/vm.js';
import { compiledSource, compileNow, engineOf, MAX_COMPILED_INSNS, runProgram } from '../../../src/bpf/jit/index.js';

const BPF_FUNC_tail_call = 12;

interface Setup {
  (vm: Vm): { r1?: bigint; r2?: bigint; limit?: number } | void;
}

function outcome(vm: Vm, r: RunResult): unknown {
  return {
    r0: r.r0u64,
    insnCount: r.insnCount,
    fault: r.fault?.describe(),
    lo: Array.from(vm.regs).filter((_, i) => i % 2 === 0),
  };
}

/** Runs `insns` on both tiers (fresh VMs from `setup`) and returns the compiled result after checking they agree. */
function both(insns: Insn[], setup: Setup = () => {}): { r: RunResult; vm: Vm; exe: Executable } {
  const run = (compiled: boolean): { r: RunResult; vm: Vm; exe: Executable } => {
    const vm = new Vm();
    const s = setup(vm) ?? {};
    const exe: Executable = { name: 'prog', insns };
    const opts = { r2: s.r2, insnLimit: s.limit };
    const r = compiled ? runProgram(vm, exe, s.r1, { ...opts, hotRuns: 0 }) : vm.run(exe, s.r1, opts);
    return { r, vm, exe };
  };
  const a = run(false);
  const b = run(true);
  expect(engineOf(b.exe)).toEqual({ engine: 'compiled' });
  expect(outcome(b.vm, b.r)).toEqual(outcome(a.vm, a.r));
  return b;
}

describe('engine choice', () => {
  it('interprets the first hotRuns runs, then compiles once', () => {
    const exe: Executable = { name: 'p', insns: assemble('r0 = 7\nexit') };
    const vm = new Vm();
    for (let k = 0; k < 3; k++) {
      expect(runProgram(vm, exe, 0, { hotRuns: 3 }).r0).toBe(7);
      expect(engineOf(exe).engine).toBe('interpreter');
    }
    expect(engineOf(exe).reason).toMatch(/not hot yet/);
    expect(runProgram(vm, exe, 0, { hotRuns: 3 }).r0).toBe(7);
    expect(engineOf(exe)).toEqual({ engine: 'compiled' });
    expect(compiledSource(exe)).toMatch(/function F0\(vm, dp\)/);
  });
  it("engine 'interpreter' never compiles", () => {
    const exe: Executable = { name: 'p', insns: assemble('r0 = 7\nexit') };
    for (let k = 0; k < 5; k++) runProgram(new Vm(), exe, 0, { engine: 'interpreter', hotRuns: 0 });
    expect(engineOf(exe).engine).toBe('interpreter');
  });
  it('stays on the interpreter with a reason when the program is too large', () => {
    const insns = assemble(`${'r0 += 1\n'.repeat(MAX_COMPILED_INSNS)}exit`);
    const exe: Executable = { name: 'big', insns };
    expect(compileNow(exe)).toBeNull();
    expect(engineOf(exe)).toEqual({ engine: 'interpreter', reason: expect.stringMatching(/limit of 4096/) });
    expect(runProgram(new Vm(), exe, 0, { hotRuns: 0 }).r0).toBe(MAX_COMPILED_INSNS);
  });
  it('stays on the interpreter for LD_ABS mixed with bpf-to-bpf calls', () => {
    const exe: Executable = { name: 'mix', insns: assemble('call f\nr0 = *(u8 *)skb[0]\nexit\nf:\nr0 = 0\nexit') };
    expect(compileNow(exe)).toBeNull();
    expect(engineOf(exe).reason).toMatch(/LD_ABS/);
  });
});

describe('code shape', () => {
  it('compiles an irreducible loop as a switch over blocks', () => {
    // two entries into one loop: A and B jump into each other
    const insns = assemble(`
      r0 = 0
      if r1 > 3 goto B
    A:
      r0 += 1
      if r0 > 40 goto out
    B:
      r0 += 2
      if r0 < 50 goto A
    out:
      exit`);
    for (const r1 of [1n, 5n]) {
      const { exe } = both(insns, () => ({ r1 }));
      expect(compiledSource(exe)).toMatch(/disp: for \(;;\) switch/);
    }
  });
  it('compiles reducible loops as labeled loops', () => {
    const { r, exe } = both(assemble('r0 = 0\nr1 = 10\nl:\nr0 += r1\nr1 += -1\nif r1 != 0 goto l\nexit'));
    expect(r.r0).toBe(55);
    expect(compiledSource(exe)).toMatch(/L\d+: for \(;;\)/);
  });
});

describe('budget', () => {
  const loop = assemble('r0 = 0\nl:\nr0 += 1\nr1 = r0\nr1 &= 3\nif r1 != 7 goto l\nexit');
  it.each([1, 2, 5, 6, 7, 100, 1001])('faults insn_limit at the interpreter pc and count with limit %i', (limit) => {
    const { r } = both(loop, () => ({ limit }));
    expect(r.fault?.kind).toBe('insn_limit');
    expect(r.insnCount).toBe(limit);
  });
});

describe('calls', () => {
  it('bpf-to-bpf calls keep r6..r9, give each frame its own stack, and report call depth', () => {
    both(assemble(`
      r6 = 11
      *(u64 *)(r10 - 8) = r6
      r1 = 5
      call f
      r0 += r6
      r1 = *(u64 *)(r10 - 8)
      r0 += r1
      exit
    f:
      r6 = 100
      *(u64 *)(r10 - 8) = r6
      r0 = r1
      r0 += r6
      exit`));
    const { r } = both(assemble('call f\nexit\nf:\ncall f\nexit'));
    expect(r.fault?.kind).toBe('call_depth');
  });
  it('callx reaches a function pointer or a helper id', () => {
    const helper = (vm: Vm): void => {
      vm.helpers[7] = (m) => {
        m.regs[0] = m.regs[2] * 3;
        m.regs[1] = 0;
      };
    };
    const insns = assemble(`
      r2 = ${(BigInt(TAG_FUNC) << 32n) | 6n} ll
      r1 = 4
      callx r2
      r6 = r0
      exit
      r0 = 99
    f:
      r0 = r1
      r0 += 1
      exit`);
    // insn 6 is `r0 = r1` (the lddw takes two slots): fix the pointer to it
    expect(both(insns, helper).r.r0).toBe(5);
    const viaHelper = assemble('r2 = 7\nr1 = 5\ncallx r2\nexit');
    expect(both(viaHelper, helper).r.r0).toBe(15);
    expect(both(assemble('r2 = 8\ncallx r2\nexit'), helper).r.fault?.kind).toBe('unknown_helper');
  });
  it('follows tail calls into compiled targets, and faults there name the target', () => {
    const target: Executable = { name: 'target', insns: assemble('r0 = r1\nr0 += 1000\nr2 = *(u8 *)(r10 + 8)\nexit') };
    const okTarget: Executable = { name: 'ok', insns: assemble('r0 = r1\nr0 += 1000\nexit') };
    const setup = (t: Executable) => (vm: Vm) => {
      vm.helpers[BPF_FUNC_tail_call] = (m) => {
        if (m.tailCallCount < 2) {
          m.tailCallCount++;
          m.tailCallTarget = t;
        }
      };
      return { r1: 3n };
    };
    const insns = assemble('r6 = r1\ncall 12\nr0 = -1\nexit');
    expect(both(insns, setup(okTarget)).r.r0).toBe(1003);
    expect(engineOf(okTarget).engine).toBe('compiled');
    const { r } = both(insns, setup(target));
    expect(r.fault?.kind).toBe('out_of_bounds');
    expect(r.fault?.describe()).toMatch(/insn 2 \(w2 = \*\(u8 \*\)\(r10 \+ 8\)\)/);
  });
  it('runs vm.invoke callbacks from helpers (bpf_loop style)', () => {
    const insns = assemble(`
      r6 = 0
      *(u64 *)(r10 - 8) = r6
      r1 = 4
      r2 = ${(BigInt(TAG_FUNC) << 32n) | 10n} ll
      r3 = r10
      r3 += -8
      call 181
      r0 = *(u64 *)(r10 - 8)
      exit
    cb:
      r2 = *(u64 *)(r1 + 0)
      r2 += 3
      *(u64 *)(r1 + 0) = r2
      r0 = 0
      exit`);
    const { r } = both(insns, (vm) => {
      vm.helpers[181] = (m) => {
        const n = m.regs[2];
        const fn = m.regs[4];
        const ctx = [m.regs[6], m.regs[7]];
        for (let i = 0; i < n; i++) m.invoke(m.current as Executable, fn, [ctx[0], ctx[1]]);
        m.regs[0] = n;
        m.regs[1] = 0;
      };
    });
    expect(r.r0).toBe(12);
  });
  it('helper faults carry the call pc and the count up to the call', () => {
    const { r } = both(assemble('r0 = 1\nr0 += 1\ncall 3\nexit'), (vm) => {
      vm.helpers[3] = () => {
        throw new BpfFault('helper_fault', -1, 'refused');
      };
    });
    expect(r.fault?.pc).toBe(2);
    expect(r.insnCount).toBe(3);
  });
});

describe('memory', () => {
  it('LD_ABS/LD_IND read the packet big-endian and end the run with r0 = 0 out of bounds', () => {
    const setup = (vm: Vm): void => {
      vm.memory.resetPacket(new Region('packet', Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), true));
      vm.packetDataOffset = 2;
    };
    expect(both(assemble('r0 = *(u32 *)skb[1]\nexit'), setup).r.r0).toBe(0x04050607);
    expect(both(assemble('r3 = 2\nr0 = *(u16 *)skb[r3 + 1]\nr0 += 1\nexit'), setup).r.r0).toBe(0x0608);
    expect(both(assemble('r0 = 9\nr0 = *(u32 *)skb[3]\nr0 = 5\nexit'), setup).r.r0).toBe(0);
  });
  it('goes through context handlers (pointer answers to 4-byte loads included)', () => {
    const handler: CtxHandler = {
      load(off, size, regs, dst, pc) {
        if (off === 4) throw new BpfFault('ctx_access', pc, `no field at ${off}`);
        regs[2 * dst] = off === 0 ? 0 : off * 10 + size;
        regs[2 * dst + 1] = off === 0 ? 130 : 0;
      },
      store(off, size, lo, _hi, pc) {
        if (off !== 8) throw new BpfFault('ctx_access', pc, `read-only field at ${off}`);
        stored.push(lo);
      },
    };
    const stored: number[] = [];
    const setup = (vm: Vm): void => {
      vm.memory.set(TAG_CTX, new Region('ctx', new Uint8Array(16), true, 0, 0, handler));
      vm.memory.addStatic(new Region('data', new Uint8Array(8).fill(9), true));
      vm.memory.addStatic(new Region('data2', new Uint8Array(8).fill(9), true));
      vm.memory.addStatic(new Region('data3', new Uint8Array(8).fill(9), true));
    };
    expect(both(assemble('r2 = *(u32 *)(r1 + 0)\nr0 = *(u8 *)(r2 + 4)\n*(u32 *)(r1 + 8) = r0\nexit'), setup).r.r0).toBe(9);
    expect(stored).toEqual([9, 9]);
    expect(both(assemble('r0 = *(u32 *)(r1 + 4)\nexit'), setup).r.fault?.kind).toBe('ctx_access');
    expect(both(assemble('*(u32 *)(r1 + 12) = 1\nexit'), setup).r.fault?.describe()).toMatch(/read-only field at 12/);
  });
  it('checks map-value slabs per element and read-only regions', () => {
    const setup = (vm: Vm) => {
      const tag = vm.memory.addStatic(new Region('values', new Uint8Array(32), true, 16, 12));
      const ro = vm.memory.addStatic(new Region('rodata', new Uint8Array(8), false));
      return { r1: pointer(tag, 0), r2: pointer(ro, 0) };
    };
    expect(both(assemble('r3 = 5\n*(u32 *)(r1 + 24) = r3\nr0 = *(u32 *)(r1 + 24)\nexit'), setup).r.r0).toBe(5);
    expect(both(assemble('r0 = *(u32 *)(r1 + 12)\nexit'), setup).r.fault?.kind).toBe('out_of_bounds');
    expect(both(assemble('*(u8 *)(r2 + 0) = 1\nexit'), setup).r.fault?.kind).toBe('read_only');
  });
});
