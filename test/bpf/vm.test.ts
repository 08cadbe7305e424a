// vm.test.ts: the Vm contract others code against: run() inputs and RunResult, helpers,
// bpf-to-bpf calls (r6-r10 preserved, a stack per frame), callx, tail calls, invoke()
// callbacks, the instruction budget, and the legacy LD_ABS/LD_IND packet loads.
import { describe, expect, it } from 'vitest';
import { Region, TAG_FUNC, TAG_STACK0 } from '../../src/bpf/memory.js';
import * as op from '../../src/bpf/opcodes.js';
import { pointer, Vm, type Executable } from '../../src/bpf/vm.js';
import {
  alu64, alu64r, call, callLocal, callx, exit, ja, jmp, ldAbs, ldInd, lddw, ldx, mov64, mov64r, prog, runProg, st, stx,
} from './interp/prog.js';

/** include/uapi/linux/bpf.h: BPF_FUNC_tail_call. */
const BPF_FUNC_tail_call = 12;

describe('run()', () => {
  it('starts with r1 = the context pointer, r10 = the top of frame 0, other registers 0', () => {
    const { vm, r } = runProg([mov64r(0, 1), mov64r(2, 10), exit()]);
    expect(r.r0u64).toBe(pointer(1, 0));
    expect(vm.reg(2)).toBe(pointer(TAG_STACK0, 512));
  });
  it('takes r1 and r2 as numbers or BigInts', () => {
    const vm = new Vm();
    const p = prog(mov64r(0, 1), alu64r(op.BPF_ADD, 0, 2), exit());
    expect(vm.run(p, 5, { r2: 7n }).r0u64).toBe(12n);
    expect(vm.run(p, -1n, { r2: 1 }).r0u64).toBe(0n);
  });
  it('reports r0 as a signed low word, a high word, all 64 bits, and the instruction count', () => {
    const { r } = runProg([lddw(0, 0x00000001ffffffffn), ja(0), exit()]);
    expect(r.r0).toBe(-1);
    expect(r.r0Hi).toBe(1);
    expect(r.r0u64).toBe(0x1ffffffffn);
    expect(r.insnCount).toBe(3);
    expect(r.fault).toBeUndefined();
  });
  it('is repeatable: registers and the stack are reset for every run', () => {
    const vm = new Vm();
    const p = prog(ldx('dw', 0, 10, -8), st('dw', 10, -8, 9), alu64r(op.BPF_ADD, 0, 6), mov64(6, 3), exit());
    expect(vm.run(p).r0u64).toBe(0n);
    expect(vm.run(p).r0u64).toBe(0n);
  });
  it('stops a runaway loop at the budget (default 1,000,000, configurable)', () => {
    const vm = new Vm();
    const loop = prog(ja(-1));
    const r = vm.run(loop);
    expect(r.fault?.kind).toBe('insn_limit');
    expect(r.insnCount).toBe(op.BPF_COMPLEXITY_LIMIT_INSNS);
    vm.insnLimit = 100;
    expect(vm.run(loop).insnCount).toBe(100);
    expect(vm.run(loop, undefined, { insnLimit: 10 }).insnCount).toBe(10);
    expect(vm.insnLimit).toBe(100);
  });
});

describe('helpers', () => {
  it('read r1..r5 and write r0; vm.pc names the call; env is the hook state', () => {
    const vm = new Vm();
    const calls: number[] = [];
    vm.env = { mark: 40 };
    vm.helpers[7] = (m) => {
      calls.push(m.pc);
      const env = m.env as { mark: number };
      m.setReg(0, BigInt(m.regs[2] + m.regs[4] + m.regs[10] + env.mark));
    };
    const r = vm.run(prog(mov64(1, 1), mov64(2, 2), mov64(5, -3), call(7), exit()));
    expect(r.r0u64).toBe(40n);
    expect(calls).toEqual([3]);
  });
  it('callx with a helper id in the register', () => {
    const vm = new Vm();
    vm.helpers[5] = (m) => m.setReg(0, 55);
    expect(vm.run(prog(mov64(3, 5), callx(3), exit())).r0u64).toBe(55n);
  });
});

describe('bpf-to-bpf calls', () => {
  it('preserve r6..r9 and r10 across the call; r1..r5 pass arguments', () => {
    const { vm, r } = runProg([
      mov64(6, 6), mov64(9, 9), mov64(1, 20), callLocal(3), alu64r(op.BPF_ADD, 0, 6), alu64r(op.BPF_ADD, 0, 9), exit(),
      // callee at 7: clobbers r6, r9, uses its own stack
      mov64(6, 100), mov64(9, 100), stx('dw', 10, 1, -8), ldx('dw', 0, 10, -8), mov64r(2, 10), exit(),
    ]);
    expect(r.fault).toBeUndefined();
    expect(r.r0u64).toBe(35n);
    expect(vm.reg(2)).toBe(pointer(TAG_STACK0 + 1, 512)); // r2 kept the callee's r10 (scratch)
    expect(vm.reg(10)).toBe(pointer(TAG_STACK0, 512));
  });
  it('a caller stack pointer stays valid in the callee', () => {
    const r0 = runProg([
      st('dw', 10, -8, 41), mov64r(1, 10), alu64(op.BPF_ADD, 1, -8), callLocal(1), exit(),
      ldx('dw', 0, 1, 0), alu64(op.BPF_ADD, 0, 1), exit(),
    ]).r.r0u64;
    expect(r0).toBe(42n);
  });
  it('callx through a function pointer (TAG_FUNC, insn)', () => {
    const r0 = runProg([lddw(4, pointer(TAG_FUNC, 4)), callx(4), exit(), mov64(0, 9), exit()]).r.r0u64;
    expect(r0).toBe(9n);
  });
  it('allows 8 frames and refuses a 9th', () => {
    // f(n): if n == 0 return 0; return f(n-1) + 1  — frame 0 calls with r1 = depth
    const rec = (n: number) =>
      runProg([mov64(1, n), callLocal(1), exit(), jmp(op.BPF_JNE, 1, 0, 2), mov64(0, 0), exit(),
        alu64(op.BPF_ADD, 1, -1), callLocal(-5), alu64(op.BPF_ADD, 0, 1), exit()]).r;
    expect(rec(6).r0u64).toBe(6n); // main + 7 nested frames
    const f = rec(7).fault;
    expect(f?.kind).toBe('call_depth');
    expect(f?.pc).toBe(7);
  });
});

describe('tail calls', () => {
  it('continue in the target at pc 0 with registers unchanged, in the same frame', () => {
    const vm = new Vm();
    const target: Executable = { name: 'target', insns: [alu64r(op.BPF_ADD, 0, 6), alu64(op.BPF_ADD, 0, 1000), exit()] };
    vm.helpers[BPF_FUNC_tail_call] = (m) => {
      m.tailCallCount++;
      if (m.tailCallCount > op.MAX_TAIL_CALL_CNT) return m.setReg(0, -1);
      m.tailCallTarget = target;
    };
    const main = prog(mov64(6, 5), mov64(0, 1), call(BPF_FUNC_tail_call), mov64(0, -7), exit());
    const r = vm.run(main);
    expect(r.r0u64).toBe(1006n);
    expect(r.insnCount).toBe(6);
    expect(vm.tailCallCount).toBe(1);
    expect(vm.run(main).r0u64).toBe(1006n);
    expect(vm.tailCallCount).toBe(1);
  });
  it('a tail call from a subprogram returns to the subprogram caller', () => {
    const vm = new Vm();
    const target: Executable = { name: 'target', insns: [mov64(0, 30), exit()] };
    vm.helpers[12] = (m) => {
      m.tailCallTarget = target;
    };
    const r = vm.run(prog(mov64(6, 4), callLocal(2), alu64r(op.BPF_ADD, 0, 6), exit(), call(12), exit()));
    expect(r.r0u64).toBe(34n);
  });
});

describe('invoke() for callbacks', () => {
  it('runs a subprogram reentrantly in a new frame and returns r0 (bpf_loop)', () => {
    const vm = new Vm();
    // bpf_loop(nr = r1, callback = r2, ctx = r3): calls cb(i, ctx) until it returns 1
    vm.helpers[181] = (m) => {
      const n = m.regs[2];
      const fn = m.regs[4];
      const exe = m.current!;
      const ctxLo = m.regs[6];
      const ctxHi = m.regs[7];
      const args = new Int32Array(4);
      let i = 0;
      for (; i < n; i++) {
        args[0] = i;
        args[2] = ctxLo;
        args[3] = ctxHi;
        if (m.invoke(exe, fn, args) === 1) { i++; break; }
      }
      m.setReg(0, i);
    };
    const r = vm.run(prog(
      mov64(6, 77), st('dw', 10, -8, 0), mov64(1, 10), lddw(2, pointer(TAG_FUNC, 13)), mov64r(3, 10), alu64(op.BPF_ADD, 3, -8),
      call(181), ldx('dw', 1, 10, -8), alu64(op.BPF_LSH, 1, 8), alu64r(op.BPF_ADD, 0, 1), alu64r(op.BPF_ADD, 0, 6), exit(),
      // callback at 13: *ctx += i; r6 = 0 (callee-saved, restored); return 0
      ldx('dw', 4, 2, 0), alu64r(op.BPF_ADD, 4, 1), stx('dw', 2, 4, 0), mov64(6, 0), mov64(0, 0), exit(),
    ));
    expect(r.fault).toBeUndefined();
    expect(r.r0u64).toBe(10n + (45n << 8n) + 77n);
    expect(r.insnCount).toBe(12 + 10 * 6); // an lddw counts once
  });
});

describe('legacy LD_ABS / LD_IND', () => {
  const packet = Uint8Array.from([0xee, 0xee, 0x08, 0x00, 0x45, 0x00, 0x12, 0x34, 0x56]);
  const setup = (vm: Vm) => {
    vm.memory.resetPacket(new Region('packet', packet, true));
    vm.packetDataOffset = 2; // two bytes of headroom before skb->data
    return undefined;
  };
  it('load big-endian relative to skb->data', () => {
    expect(runProg([ldAbs('h', 0), exit()], setup).r.r0u64).toBe(0x0800n);
    expect(runProg([ldAbs('b', 2), exit()], setup).r.r0u64).toBe(0x45n);
    expect(runProg([ldAbs('w', 3), exit()], setup).r.r0u64).toBe(0x00123456n);
    expect(runProg([mov64(7, 4), ldInd('h', 7, 0), exit()], setup).r.r0u64).toBe(0x1234n);
  });
  it('clobber r1..r5 and end the program with r0 = 0 when out of bounds', () => {
    const { vm, r } = runProg([mov64(3, 9), ldAbs('b', 0), mov64r(0, 3), exit()], setup);
    expect(r.r0u64).toBe(0n);
    expect(vm.reg(3)).toBe(0n);
    const oob = runProg([mov64(0, 5), ldAbs('w', 4), mov64(0, 9), exit()], setup);
    expect(oob.r.fault).toBeUndefined();
    expect(oob.r.r0u64).toBe(0n);
    expect(oob.r.insnCount).toBe(2);
    expect(runProg([mov64(7, -1), ldInd('b', 7, 0), mov64(0, 9), exit()], setup).r.r0u64).toBe(0n);
  });
});

describe('prepared code', () => {
  it('is built once, cached on the executable, and rebuilt when its instructions change', () => {
    const vm = new Vm();
    const exe: Executable = { name: 'p', insns: [mov64(0, 1), exit()] };
    vm.run(exe);
    const first = exe.prepared;
    expect(first).toBeDefined();
    vm.run(exe);
    expect(exe.prepared).toBe(first);
    (exe as { insns: unknown }).insns = [mov64(0, 2), exit()];
    expect(vm.run(exe).r0u64).toBe(2n);
    expect(exe.prepared).not.toBe(first);
  });
  it('works for frozen executables too', () => {
    const exe: Executable = Object.freeze({ name: 'frozen', insns: [mov64(0, 3), exit()] });
    expect(new Vm().run(exe).r0u64).toBe(3n);
  });
});

describe('jumps', () => {
  it('gotol (ja32) jumps by its 32-bit immediate', () => {
    const gotol = (imm: number) => ({ code: op.BPF_JMP32 | op.BPF_JA, dst: 0, src: 0, off: 0, imm });
    expect(runProg([mov64(0, 1), gotol(1), exit(), mov64(0, 2), exit()]).r.r0u64).toBe(2n);
  });
  it('may_goto falls through (loops are bounded by the instruction budget)', () => {
    const mayGoto = (off: number) => ({ code: op.BPF_JMP | 0xe0, dst: 0, src: 0, off, imm: 0 });
    expect(runProg([mov64(0, 1), mayGoto(1), exit(), mov64(0, 2), exit()]).r.r0u64).toBe(1n);
  });
});
