// stack.test.ts: stack.ts's lowest reachable frame-0 offset on hand-assembled shapes, and that a
// compiled run on a dirty stack (bytes below that offset left from before) behaves as the
// interpreter's fully zeroed run.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../../src/bpf/asm/index.js';
import { TAG_STACK0 } from '../../../src/bpf/memory.js';
import { Vm, type Executable } from '../../../src/bpf/vm.js';
import { preparedOf } from '../../../src/bpf/interp/prepare.js';
import { runProgram } from '../../../src/bpf/jit/index.js';
import { buildCfg } from '../../../src/bpf/jit/cfg.js';
import { stackLow } from '../../../src/bpf/jit/stack.js';

const low = (asm: string): number => {
  const p = preparedOf({ name: 't', insns: assemble(asm) });
  return stackLow(p, buildCfg(p, 0));
};

describe('stackLow', () => {
  it('takes the lowest r10-relative access', () => {
    expect(low('*(u64 *)(r10 - 8) = r1\nr0 = *(u32 *)(r10 - 12)\nexit')).toBe(500);
    expect(low('r0 = 0\nexit')).toBe(512);
  });

  it('follows a copy kept in a callee-saved register across helper calls (chain_count)', () => {
    const asm = `
      r8 = r10
      r8 += -16
      r2 = r8
      call 1
      r3 = r10
      r3 += -32
      r2 = r8
      call 2
      r0 = *(u64 *)(r8 + 0)
      exit`;
    expect(low(asm)).toBe(480);
  });

  it('keeps the offset through a join of equal copies, gives up on different ones that are used', () => {
    const same = `
      r2 = r10
      r2 += -8
      if r1 > 3 goto +2
      r2 = r10
      r2 += -8
      r0 = *(u64 *)(r2 + 0)
      exit`;
    expect(low(same)).toBe(504);
    const differ = `
      r2 = r10
      r2 += -8
      if r1 > 3 goto +2
      r2 = r10
      r2 += -64
      r0 = *(u64 *)(r2 + 0)
      exit`;
    expect(low(differ)).toBe(0);
  });

  it('gives up on a pointer walking the stack in a loop', () => {
    const asm = `
      r2 = r10
      r3 = 4
      r2 += -8
      *(u64 *)(r2 + 0) = r3
      r3 += -1
      if r3 != 0 goto -4
      exit`;
    expect(low(asm)).toBe(0);
  });

  it('gives up when a stack pointer escapes: spilled, used in arithmetic, passed to a callback or a callee', () => {
    expect(low('r2 = r10\nr2 += -8\n*(u64 *)(r10 - 16) = r2\nexit')).toBe(0);
    expect(low('r2 = r10\nr2 += r1\nr0 = *(u8 *)(r2 - 1)\nexit')).toBe(0);
    expect(low('r3 = r10\nr3 += -8\nr1 = 4\nr4 = 0\ncall 181\nexit')).toBe(0);
    expect(low('r1 = r10\nr1 += -8\ncall callee\nr0 = 0\nexit\ncallee:\nr0 = *(u64 *)(r1 - 64)\nexit')).toBe(0);
  });
});

describe('compiled runs on a dirty stack', () => {
  it('see what the interpreter sees on a zeroed one', () => {
    // reads the bytes it never wrote at r10-4 and through the kept copy: both must be zero
    const asm = `
      r8 = r10
      r8 += -16
      *(u32 *)(r10 - 8) = r1
      r2 = r8
      call 1
      r0 = *(u64 *)(r8 + 0)
      r1 = *(u32 *)(r10 - 4)
      r0 += r1
      exit`;
    const exe: Executable = { name: 'dirty', insns: assemble(asm) };
    const vm = new Vm();
    vm.helpers[1] = (m) => {
      m.regs[0] = 0;
      m.regs[1] = 0;
    };
    const want = vm.run(exe);
    for (let k = 0; k < 3; k++) {
      vm.memory.regions[TAG_STACK0].bytes.fill(0xa5);
      const got = runProgram(vm, exe, undefined, { engine: 'compiled', hotRuns: 0 });
      expect(got.fault).toBeUndefined();
      expect([got.r0, got.r0Hi]).toEqual([want.r0, want.r0Hi]);
    }
  });
});
