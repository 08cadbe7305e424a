// mem.test.ts: loads, stores, sign-extending loads and atomics through the memory model:
// sizes, endianness, sign extension, fetch results, 32-bit zero-extension, ctx handlers.
import { describe, expect, it } from 'vitest';
import { BpfFault } from '../../../src/bpf/fault.js';
import { Region, TAG_CTX, type CtxHandler } from '../../../src/bpf/memory.js';
import * as op from '../../../src/bpf/opcodes.js';
import { pointer, type Vm } from '../../../src/bpf/vm.js';
import { atomic, exit, ldsx, lddw, ldx, mov64, mov64r, runProg, st, stx } from './prog.js';

function withMemory(bytes: number[] | Uint8Array, writable = true) {
  const mem = Uint8Array.from(bytes);
  return {
    mem,
    setup: (vm: Vm) => pointer(vm.memory.addStatic(new Region('mem', mem, writable)), 0),
  };
}

const M32 = 0xffffffffn;

describe('loads', () => {
  const { setup } = withMemory([0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x7f]);
  const load = (i: ReturnType<typeof ldx>) => runProg([i, exit()], setup).r.r0u64;
  it('little-endian, zero-extended', () => {
    expect(load(ldx('b', 0, 1, 0))).toBe(0x81n);
    expect(load(ldx('h', 0, 1, 1))).toBe(0x8382n);
    expect(load(ldx('w', 0, 1, 0))).toBe(0x84838281n);
    expect(load(ldx('dw', 0, 1, 0))).toBe(0x8887868584838281n);
    expect(load(ldx('dw', 0, 1, 1))).toBe(0x7f88878685848382n);
  });
  it('sign-extending loads (ldsx)', () => {
    expect(load(ldsx('b', 0, 1, 0))).toBe(0xffffffffffffff81n);
    expect(load(ldsx('b', 0, 1, 8))).toBe(0x7fn);
    expect(load(ldsx('h', 0, 1, 0))).toBe(0xffffffffffff8281n);
    expect(load(ldsx('w', 0, 1, 0))).toBe(0xffffffff84838281n);
  });
});

describe('stores', () => {
  it('each size, from a register and an immediate (DW immediates sign-extend)', () => {
    const { mem, setup } = withMemory(new Uint8Array(24));
    const { r } = runProg(
      [lddw(2, 0x1122334455667788n), stx('dw', 1, 2, 0), stx('w', 1, 2, 8), stx('h', 1, 2, 12), stx('b', 1, 2, 14),
        st('dw', 1, 16, -2), st('b', 1, 15, 0x1ff), exit()],
      setup,
    );
    expect(r.fault).toBeUndefined();
    expect(Buffer.from(mem).toString('hex')).toBe('8877665544332211' + '88776655' + '8877' + '88' + 'ff' + 'feffffffffffffff');
    const m2 = withMemory(new Uint8Array(8));
    runProg([st('w', 1, 0, -1), st('h', 1, 4, 0x1234), exit()], m2.setup);
    expect(Buffer.from(m2.mem).toString('hex')).toBe('ffffffff34120000');
  });
  it('the stack: 512 bytes below r10, zeroed at the start of a run', () => {
    const { r } = runProg([ldx('dw', 0, 10, -512), st('dw', 10, -8, 7), ldx('dw', 1, 10, -8), alu(0, 1), exit()]);
    expect(r.r0u64).toBe(7n);
  });
});

function alu(d: number, s: number) {
  return { code: op.BPF_ALU64 | op.BPF_ADD | op.BPF_X, dst: d, src: s, off: 0, imm: 0 };
}

describe('atomics', () => {
  const A = op;
  const run = (v: bigint, src: bigint, imm: number, size: 'w' | 'dw', r0 = 0n) => {
    const m = withMemory(new Uint8Array(8));
    new DataView(m.mem.buffer).setBigUint64(0, v, true);
    const { vm, r } = runProg([lddw(2, src), lddw(0, r0), atomic(size, 1, 2, 0, imm), mov64r(3, 0), mov64r(0, 2), exit()], m.setup);
    expect(r.fault).toBeUndefined();
    return { mem: new DataView(m.mem.buffer).getBigUint64(0, true), src: r.r0u64, r0: vm.reg(3) };
  };
  it('add/or/and/xor 64 without and with fetch', () => {
    expect(run(5n, 3n, A.BPF_ADD, 'dw')).toEqual({ mem: 8n, src: 3n, r0: 0n });
    expect(run(0xffffffffn, 1n, A.BPF_ADD | A.BPF_FETCH, 'dw')).toEqual({ mem: 0x100000000n, src: 0xffffffffn, r0: 0n });
    expect(run(0xf0n, 0x0fn, A.BPF_OR | A.BPF_FETCH, 'dw')).toEqual({ mem: 0xffn, src: 0xf0n, r0: 0n });
    expect(run(0xf0n, 0x3cn, A.BPF_AND | A.BPF_FETCH, 'dw')).toEqual({ mem: 0x30n, src: 0xf0n, r0: 0n });
    expect(run(0xf0n, 0x3cn, A.BPF_XOR | A.BPF_FETCH, 'dw')).toEqual({ mem: 0xccn, src: 0xf0n, r0: 0n });
  });
  it('32-bit forms touch 4 bytes and zero-extend the fetched value', () => {
    expect(run(0xaaaaaaaaffffffffn, 0x1234567800000001n, A.BPF_ADD | A.BPF_FETCH, 'w')).toEqual({
      mem: 0xaaaaaaaa00000000n, src: 0xffffffffn, r0: 0n,
    });
    expect(run(0x11111111_80000000n, 0n, A.BPF_XCHG, 'w')).toEqual({ mem: 0x11111111_00000000n, src: 0x80000000n, r0: 0n });
  });
  it('xchg and cmpxchg (r0 holds the old value either way)', () => {
    expect(run(9n, 4n, A.BPF_XCHG, 'dw')).toEqual({ mem: 4n, src: 9n, r0: 0n });
    expect(run(9n, 4n, A.BPF_CMPXCHG, 'dw', 9n)).toEqual({ mem: 4n, src: 4n, r0: 9n });
    expect(run(9n, 4n, A.BPF_CMPXCHG, 'dw', 8n)).toEqual({ mem: 9n, src: 4n, r0: 9n });
    expect(run(0x500000009n, 4n, A.BPF_CMPXCHG, 'w', 0xff00000009n)).toEqual({ mem: 0x500000004n, src: 4n, r0: 9n });
    expect(run(0xfffffffffn, 4n, A.BPF_CMPXCHG, 'w', 0n)).toEqual({ mem: 0xfffffffffn, src: 4n, r0: M32 });
  });
});

describe('map value slabs and the context', () => {
  it('a slab region bounds each element, not just the region', () => {
    const slab = new Uint8Array(32);
    const setup = (vm: Vm) => pointer(vm.memory.addStatic(new Region('counts', slab, true, 16, 12)), 16);
    expect(runProg([st('w', 1, 8, 5), ldx('w', 0, 1, 8), exit()], setup).r.r0u64).toBe(5n);
    const bad = runProg([ldx('w', 0, 1, 10), exit()], setup).r.fault;
    expect(bad?.kind).toBe('out_of_bounds');
    expect(bad?.detail).toContain('12-byte counts value');
  });
  it('context loads and stores go through the handler', () => {
    const seen: string[] = [];
    const ctx: CtxHandler = {
      load(off, size, regs, dst) {
        seen.push(`load ${off}/${size}`);
        regs[2 * dst] = off === 0 ? 0x80 : 1000;
        regs[2 * dst + 1] = 0;
      },
      store(off, size, lo) {
        seen.push(`store ${off}/${size}=${lo}`);
      },
    };
    const setup = (vm: Vm) => {
      vm.memory.set(TAG_CTX, new Region('ctx', new Uint8Array(0), true, 0, 0, ctx));
      return undefined;
    };
    const vm0 = runProg([ldx('w', 0, 1, 4), st('w', 1, 8, 7), ldsx('b', 2, 1, 0), alu(0, 2), exit()], setup);
    expect(vm0.r.fault).toBeUndefined();
    expect(vm0.r.r0u64).toBe(1000n - 128n);
    expect(seen).toEqual(['load 4/4', 'store 8/4=7', 'load 0/1']);
  });
  it('a ctx handler fault stops the run; atomics on the context fault', () => {
    const ctx: CtxHandler = {
      load(off, size, _regs, _dst, pc) {
        throw new BpfFault('ctx_access', pc, `cannot read ${size} bytes at ${off}`, 'ctx', off, size);
      },
      store() {},
    };
    const setup = (vm: Vm) => {
      vm.memory.set(TAG_CTX, new Region('ctx', new Uint8Array(64), true, 0, 0, ctx));
      return undefined;
    };
    const a = runProg([mov64(0, 0), ldx('b', 0, 1, 3), exit()], setup).r.fault;
    expect(a?.kind).toBe('ctx_access');
    expect(a?.pc).toBe(1);
    const b = runProg([mov64(2, 1), atomic('w', 1, 2, 0, op.BPF_ADD), exit()], setup).r.fault;
    expect(b?.kind).toBe('ctx_access');
  });
});

describe('load-acquire and store-release (BPF_STX|BPF_ATOMIC, imm 0x100 / 0x110)', () => {
  it('move values like plain loads and stores, zero-extended', () => {
    const m = withMemory([0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12]);
    const ldAcq = (code: number) => ({ code, dst: 0, src: 1, off: 0, imm: 0x100 });
    const stRel = (code: number) => ({ code, dst: 1, src: 2, off: 4, imm: 0x110 });
    expect(runProg([ldAcq(0xdb), exit()], m.setup).r.r0u64).toBe(0x123456789abcdef0n);
    expect(runProg([ldAcq(0xcb), exit()], m.setup).r.r0u64).toBe(0xdef0n);
    expect(runProg([ldAcq(0xd3), exit()], m.setup).r.r0u64).toBe(0xf0n);
    runProg([mov64(2, 0x55), stRel(0xd3), exit()], m.setup);
    expect(m.mem[4]).toBe(0x55);
    expect(m.mem[5]).toBe(0x56);
    expect(runProg([{ code: 0xdb, dst: 10, src: 1, off: 0, imm: 0x100 }, exit()], m.setup).r.fault?.kind).toBe('bad_instruction');
  });
});
