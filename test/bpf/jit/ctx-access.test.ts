// ctx-access.test.ts: the compiled tier's direct __sk_buff reads and writes (src/bpf/jit/ctx-access.ts)
// against the interpreter, which always goes through SkBuffContext: values, the skb afterwards,
// registers and faults must be identical, on and off the fast path (other offsets and sizes, a
// moved ctx pointer, a foreign context handler, BPF_ST versus BPF_STX stores).
import { describe, expect, it } from 'vitest';
import { assemble } from '../../../src/bpf/asm/index.js';
import { bindSkb } from '../../../src/bpf/context/bind.js';
import { SkBuffContext } from '../../../src/bpf/context/sk-buff-ctx.js';
import { skbFromTestRun } from '../../../src/bpf/context/test-run.js';
import { Region, TAG_CTX, type CtxHandler } from '../../../src/bpf/memory.js';
import type { Insn } from '../../../src/bpf/insn.js';
import { Vm, type Executable } from '../../../src/bpf/vm.js';
import { compiledSource, engineOf, runProgram } from '../../../src/bpf/jit/index.js';

/** 02:..:02 <- 02:..:01, IPv4 10.0.0.1 -> 10.0.0.2, UDP 5353 -> 53, 18 bytes of payload. */
const FRAME = Uint8Array.from(
  Buffer.from('020000000002020000000001080045000030123440004011000' + '00a0000010a00000214e90035001c0000717565727920666f722062656e6368212121', 'hex'),
);

function setup(vm: Vm): SkBuffContext {
  const skb = skbFromTestRun(FRAME, null);
  skb.mark = 0x8000_0001;
  skb.priority = 7;
  skb.cb.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 0xff]);
  const ctx = new SkBuffContext(vm.memory, skb);
  bindSkb(ctx);
  return ctx;
}

function outcome(vm: Vm, ctx: SkBuffContext, exe: Executable, compiled: boolean): unknown {
  const r = compiled ? runProgram(vm, exe, undefined, { hotRuns: 0 }) : vm.run(exe);
  if (compiled) expect(engineOf(exe)).toEqual({ engine: 'compiled' });
  const skb = ctx.skb;
  return {
    r0: r.r0u64,
    insnCount: r.insnCount,
    fault: r.fault?.describe(),
    // low words: high words of r1..r9 after exit are unspecified in compiled code (liveness.ts)
    lo: Array.from(vm.regs).filter((_, i) => i % 2 === 0),
    skb: { mark: skb.mark, priority: skb.priority, queueMapping: skb.queueMapping, cb: Array.from(skb.cb) },
  };
}

/** Runs `insns` on both tiers, each on a fresh VM and skb; returns the compiled outcome after checking. */
function both(insns: Insn[]): { out: unknown; source: string } {
  const a = new Vm();
  const ea: Executable = { name: 'ctx', insns };
  const want = outcome(a, setup(a), ea, false);
  const b = new Vm();
  const eb: Executable = { name: 'ctx', insns };
  const got = outcome(b, setup(b), eb, true);
  expect(got).toEqual(want);
  return { out: got, source: compiledSource(eb) };
}

describe('compiled __sk_buff accesses agree with SkBuffContext', () => {
  it('reads len, mark, protocol, data, data_end and cb[] directly', () => {
    const { out, source } = both(
      assemble(`
        r2 = *(u32 *)(r1 + 0)
        r3 = *(u32 *)(r1 + 8)
        r4 = *(u32 *)(r1 + 16)
        r5 = *(u32 *)(r1 + 76)
        r6 = *(u32 *)(r1 + 80)
        r7 = *(u32 *)(r1 + 48)
        r8 = *(u32 *)(r1 + 64)
        r9 = r6
        r9 -= r5
        r0 = r2
        r0 += r9
        exit
      `),
    );
    expect(source).toMatch(/instanceof SKB/);
    expect(out).toMatchObject({ r0: BigInt(2 * FRAME.length), fault: undefined });
  });

  it('writes mark, priority and cb[] directly, from registers and immediates', () => {
    both(
      assemble(`
        r2 = -1
        *(u32 *)(r1 + 8) = r2
        *(u32 *)(r1 + 32) = 9
        r3 = 0x01020304
        *(u32 *)(r1 + 52) = r3
        *(u32 *)(r1 + 64) = -2
        r0 = *(u32 *)(r1 + 52)
        exit
      `),
    );
  });

  it('leaves narrow, wide and sign-extending accesses to the handler', () => {
    both(
      assemble(`
        r2 = *(u16 *)(r1 + 18)
        r3 = *(u8 *)(r1 + 8)
        r4 = *(u64 *)(r1 + 48)
        *(u16 *)(r1 + 50) = r2
        r0 = r2
        r0 += r3
        r0 += r4
        exit
      `),
    );
  });

  it('keeps the handler for a ctx pointer that was moved (o != the field offset)', () => {
    both(
      assemble(`
        r1 += 4
        r0 = *(u32 *)(r1 + 4)
        r2 = *(u32 *)(r1 + 72)
        r0 += r2
        exit
      `),
    );
  });

  it('faults as the handler does on refused accesses', () => {
    for (const text of ['r0 = *(u32 *)(r1 + 90)\nexit', '*(u32 *)(r1 + 0) = r1\nexit', 'r1 += 2\nr0 = *(u32 *)(r1 + 76)\nexit', 'r0 = *(s32 *)(r1 + 76)\nexit']) {
      const { out } = both(assemble(text));
      expect(out).toMatchObject({ fault: expect.stringMatching(/ctx_access/) });
    }
  });

  it('passes BPF_ST immediates to the handler as immediates (queue_mapping)', () => {
    // the kernel compares a BPF_ST immediate as s32 and a BPF_STX register as u64: -1 is stored
    // as 0xffff by ST and skipped by STX (sk-buff-ctx.ts store)
    const { out } = both(assemble('*(u32 *)(r1 + 12) = -1\nr2 = -1\n*(u32 *)(r1 + 12) = r2\nr0 = *(u32 *)(r1 + 12)\nexit'));
    expect(out).toMatchObject({ r0: 0xffffn, skb: { queueMapping: 0xffff } });
  });

  it('uses the handler when the ctx region is not an SkBuffContext', () => {
    const handler: CtxHandler = {
      load: (off, _size, regs, dst) => {
        regs[2 * dst] = off * 3;
        regs[2 * dst + 1] = 0;
      },
      store: () => undefined,
    };
    const insns = assemble('r2 = *(u32 *)(r1 + 76)\nr0 = *(u32 *)(r1 + 8)\nr0 += r2\n*(u32 *)(r1 + 8) = r0\nexit');
    const run = (compiled: boolean): unknown => {
      const vm = new Vm();
      vm.memory.set(TAG_CTX, new Region('ctx', new Uint8Array(192), true, 0, 0, handler));
      const exe: Executable = { name: 'foreign', insns };
      const r = compiled ? runProgram(vm, exe, undefined, { hotRuns: 0 }) : vm.run(exe);
      return { r0: r.r0, fault: r.fault?.describe() };
    };
    expect(run(true)).toEqual(run(false));
    expect(run(true)).toEqual({ r0: 3 * 76 + 3 * 8, fault: undefined });
  });
});
