// types.test.ts: the compiled tier's register typing (src/bpf/jit/types.ts) and the accesses it
// specialises. Unit cases for the dataflow, then a differential fuzz over programs that read and
// write a real __sk_buff through copies of r1 (moved, merged with other pointers, clobbered),
// read the packet through ctx->data, keep stack pointers in registers, and call helpers that may
// swap the context region: interpreter and compiled code must agree on everything.
//
//   more seeds:  JIT_FUZZ_N=20000 npx vitest run test/bpf/jit/types.test.ts
import { describe, expect, it } from 'vitest';
import { assemble } from '../../../src/bpf/asm/index.js';
import { bindSkb } from '../../../src/bpf/context/bind.js';
import { SkBuffContext } from '../../../src/bpf/context/sk-buff-ctx.js';
import { skbFromTestRun } from '../../../src/bpf/context/test-run.js';
import { insn, type Insn } from '../../../src/bpf/insn.js';
import { Region, TAG_CTX, TAG_STACK0 } from '../../../src/bpf/memory.js';
import * as op from '../../../src/bpf/opcodes.js';
import { preparedOf } from '../../../src/bpf/interp/prepare.js';
import { Vm, type Executable } from '../../../src/bpf/vm.js';
import { buildCfg } from '../../../src/bpf/jit/cfg.js';
import { engineOf, runProgram } from '../../../src/bpf/jit/index.js';
import { regTypes, T_CTX, T_PACKET, T_STACK, T_UNKNOWN } from '../../../src/bpf/jit/types.js';
import { Rng } from './gen.js';

const N = Number(process.env.JIT_FUZZ_N ?? 300);
const FIRST = Number(process.env.JIT_FUZZ_SEED ?? 1);

function typesAt(text: string, pc: number): { kind: number[]; off: number[] } {
  const exe: Executable = { name: 't', insns: assemble(text) };
  const p = preparedOf(exe);
  const t = regTypes(p, buildCfg(p, 0));
  return { kind: Array.from(t.kind.subarray(pc * 11, pc * 11 + 11)), off: Array.from(t.off.subarray(pc * 11, pc * 11 + 11)) };
}

describe('register types', () => {
  it('follows ctx and stack pointers through copies and constant offsets', () => {
    const t = typesAt('r6 = r1\nr6 += 8\nr2 = r10\nr2 += -16\nr2 -= 4\nr3 = *(u32 *)(r6 + 68)\nr4 = *(u32 *)(r1 + 80)\nr0 = 0\nexit', 7);
    expect([t.kind[1], t.off[1]]).toEqual([T_CTX, 0]);
    expect([t.kind[6], t.off[6]]).toEqual([T_CTX, 8]);
    expect([t.kind[2], t.off[2]]).toEqual([T_STACK, -20]);
    expect(t.kind[3]).toBe(T_PACKET); // ctx + 8 + 68 = data
    expect(t.kind[4]).toBe(T_PACKET);
    expect([t.kind[10], t.off[10]]).toEqual([T_STACK, 0]);
  });

  it('forgets on disagreeing merges, helper calls, offsets out of range and other ALU', () => {
    const merged = typesAt('r6 = r1\nif r0 > 1 goto L\nr6 += 4\nL:\nr7 = r1\nr0 = 0\nexit', 4);
    expect(merged.kind[6]).toBe(T_UNKNOWN);
    expect(merged.kind[7]).toBe(T_CTX);
    const call = typesAt('r6 = r1\nr2 = r10\ncall 7\nr0 = 0\nexit', 3);
    expect([call.kind[1], call.kind[2], call.kind[6]]).toEqual([T_UNKNOWN, T_UNKNOWN, T_CTX]);
    const far = typesAt('r6 = r1\nr6 += -4\nr2 = r10\nr2 += 8\nr3 = r10\nr3 *= 1\nr0 = 0\nexit', 6);
    expect([far.kind[6], far.kind[2], far.kind[3]]).toEqual([T_UNKNOWN, T_UNKNOWN, T_UNKNOWN]);
  });
});

/** 02:..:02 <- 02:..:01, IPv4 10.0.0.1 -> 10.0.0.2, UDP 5353 -> 53, 18 bytes of payload. */
const FRAME = Uint8Array.from(
  Buffer.from('020000000002020000000001080045000030123440004011000' + '00a0000010a00000214e90035001c0000717565727920666f722062656e6368212121', 'hex'),
);
const FIELDS = [0, 4, 8, 12, 16, 32, 48, 52, 56, 60, 64, 76, 80];
const STORE_FIELDS = [8, 32, 48, 52, 56, 60, 64, 12];
/** Offsets the __sk_buff rules refuse (a load, a store): rare, since a fault ends the program. */
const BAD_FIELDS = [2, 90, 140, 18];
const BAD_STORE_FIELDS = [0, 4, 76];
const H_MIX = 1;
const H_SWAP_CTX = 2;

/** A random program over a real __sk_buff: r6 = ctx, r7 = ctx + K or another pointer, r8 = r10 + K. */
function generateCtx(seed: number): Insn[] {
  const rng = new Rng(seed);
  const out: (Insn | string | { to: string; j: Insn })[] = [];
  const k7 = rng.pick([0, 4, 8, 16, 48, 76, 80]);
  const k8 = -8 * (1 + rng.int(8));
  out.push(insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_X, 6, 1), insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_X, 7, 1));
  if (k7 !== 0) out.push(insn(op.BPF_ALU64 | op.BPF_ADD | op.BPF_K, 7, 0, 0, k7));
  out.push(insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_X, 8, 10), insn(op.BPF_ALU64 | op.BPF_ADD | op.BPF_K, 8, 0, 0, k8));
  for (const r of [0, 2, 3, 4, 5, 9]) out.push(insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_K, r, 0, 0, rng.imm()));
  const bases = (): [number, number] => rng.pick<[number, number]>([[1, 0], [6, 0], [7, k7], [6, 0]]);
  const scratch = (): number => rng.pick([0, 2, 3, 4, 5]);
  let labels = 0;
  const n = 5 + rng.int(25);
  for (let i = 0; i < n; i++) {
    const what = rng.int(12);
    if (what < 3) {
      const [b, k] = bases();
      const size = rng.chance(0.9) ? op.BPF_W : rng.pick([op.BPF_B, op.BPF_H, op.BPF_DW]);
      const mode = size !== op.BPF_DW && rng.chance(0.03) ? op.BPF_MEMSX : op.BPF_MEM;
      out.push(insn(op.BPF_LDX | mode | size, scratch(), b, rng.pick(rng.chance(0.95) ? FIELDS : BAD_FIELDS) - k));
    } else if (what < 5) {
      const [b, k] = bases();
      const off = rng.pick(rng.chance(0.95) ? STORE_FIELDS : BAD_STORE_FIELDS) - k;
      if (rng.chance(0.5)) out.push(insn(op.BPF_ST | op.BPF_MEM | op.BPF_W, b, 0, off, rng.imm()));
      else out.push(insn(op.BPF_STX | op.BPF_MEM | (rng.chance(0.97) ? op.BPF_W : op.BPF_H), b, scratch(), off));
    } else if (what < 7) {
      // a packet read through ctx->data, bounds-checked against data_end most of the time
      const size = rng.pick([op.BPF_B, op.BPF_H, op.BPF_W, op.BPF_DW]);
      const bytes = { [op.BPF_B]: 1, [op.BPF_H]: 2, [op.BPF_W]: 4, [op.BPF_DW]: 8 }[size] as number;
      const off = rng.int(FRAME.length + 4);
      const skip = `L${labels++}`;
      out.push(insn(op.BPF_LDX | op.BPF_MEM | op.BPF_W, 2, 6, 76), insn(op.BPF_LDX | op.BPF_MEM | op.BPF_W, 3, 6, 80));
      out.push(insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_X, 4, 2), insn(op.BPF_ALU64 | op.BPF_ADD | op.BPF_K, 4, 0, 0, off + bytes));
      if (rng.chance(0.85)) out.push({ to: skip, j: insn(op.BPF_JMP | op.BPF_JGT | op.BPF_X, 4, 3) });
      out.push(insn(op.BPF_LDX | op.BPF_MEM | size, 0, 2, off), skip);
    } else if (what < 8) {
      const off = rng.chance(0.95) ? -8 * rng.int(4) - 8 - k8 : rng.pick([-k8 - 4, -k8 + 1, -k8 - 512 - 8]);
      if (rng.chance(0.5)) out.push(insn(op.BPF_STX | op.BPF_MEM | op.BPF_DW, 8, scratch(), off));
      else out.push(insn(op.BPF_LDX | op.BPF_MEM | op.BPF_DW, scratch(), 8, off));
    } else if (what < 9) {
      out.push(insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_X, 1, 6), insn(op.BPF_JMP | op.BPF_CALL, 0, 0, 0, rng.chance(0.8) ? H_MIX : H_SWAP_CTX));
    } else if (what < 10) {
      // r7 becomes something else on one path only
      const l = `L${labels++}`;
      out.push({ to: l, j: insn(op.BPF_JMP | op.BPF_JGT | op.BPF_K, scratch(), 0, 0, rng.imm()) });
      out.push(rng.chance(0.5) ? insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_X, 7, 10) : insn(op.BPF_ALU64 | op.BPF_ADD | op.BPF_K, 7, 0, 0, 4), l);
    } else if (what < 11) {
      out.push(rng.chance(0.5) ? insn(op.BPF_ALU64 | op.BPF_ADD | op.BPF_K, 1, 0, 0, rng.pick([4, -4, 8])) : insn(op.BPF_ALU64 | op.BPF_MOV | op.BPF_X, 1, scratch()));
    } else {
      out.push(insn(op.BPF_ALU64 | rng.pick([op.BPF_ADD, op.BPF_XOR, op.BPF_MUL]) | op.BPF_X, scratch(), scratch()));
    }
  }
  out.push(insn(op.BPF_JMP | op.BPF_EXIT));
  const at = new Map<string, number>();
  let pc = 0;
  for (const x of out) if (typeof x === 'string') at.set(x, pc);
  else pc++;
  const code: Insn[] = [];
  for (const x of out) {
    if (typeof x === 'string') continue;
    if ('to' in x) code.push({ ...x.j, off: (at.get(x.to) as number) - code.length - 1 });
    else code.push(x);
  }
  return code;
}

function runCtx(insns: Insn[], compiled: boolean, limit: number | undefined): unknown {
  const vm = new Vm();
  const skb = skbFromTestRun(FRAME, null);
  skb.mark = 0x8000_0001;
  skb.cb.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 0xff]);
  const ctx = new SkBuffContext(vm.memory, skb);
  bindSkb(ctx);
  const ctxRegion = vm.memory.regions[TAG_CTX];
  const plain = new Region('not-ctx', new Uint8Array(192).fill(7), true);
  const calls: string[] = [];
  vm.helpers[H_MIX] = (m) => {
    calls.push(`mix@${m.pc}#${m.insnCount}:${Array.from(m.regs.subarray(2, 12)).join(',')}`);
    m.regs[0] = m.regs[2] ^ m.regs[4];
    m.regs[1] = 0;
  };
  vm.helpers[H_SWAP_CTX] = (m) => {
    // the ctx tag now names another region (or the context again): typed accesses must notice
    calls.push(`swap@${m.pc}#${m.insnCount}`);
    m.memory.set(TAG_CTX, m.memory.regions[TAG_CTX] === ctxRegion ? plain : ctxRegion);
    m.regs[0] = 0;
    m.regs[1] = 0;
  };
  const exe: Executable = { name: 'ctx-fuzz', insns };
  const r = compiled ? runProgram(vm, exe, undefined, { hotRuns: 0, insnLimit: limit }) : vm.run(exe, undefined, { insnLimit: limit });
  if (compiled) expect(engineOf(exe)).toEqual({ engine: 'compiled' });
  return {
    r0: r.r0u64,
    insnCount: r.insnCount,
    fault: r.fault?.describe(),
    lo: Array.from(vm.regs).filter((_, i) => i % 2 === 0),
    skb: { mark: skb.mark, priority: skb.priority, queueMapping: skb.queueMapping, cb: Array.from(skb.cb) },
    packet: Buffer.from(skb.region.bytes).toString('hex'),
    plain: Buffer.from(plain.bytes).toString('hex'),
    stack: Buffer.from(vm.memory.regions[TAG_STACK0].bytes).toString('hex'),
    calls,
  };
}

describe(`typed accesses: interpreter vs compiled on ${N} random __sk_buff programs`, () => {
  it('agree on r0, count, faults, registers, the skb, the stack and helper calls', () => {
    const faults = new Map<string, number>();
    for (let seed = FIRST; seed < FIRST + N; seed++) {
      const insns = generateCtx(seed);
      const limit = seed % 13 === 0 ? 1 + (seed % 40) : undefined;
      const a = runCtx(insns, false, limit) as { fault?: string };
      const b = runCtx(insns, true, limit);
      expect(b, `seed ${seed} (JIT_FUZZ_SEED=${seed} JIT_FUZZ_N=1 reproduces it)`).toEqual(a);
      const kind = a.fault?.split(' ')[0] ?? 'none';
      faults.set(kind, (faults.get(kind) ?? 0) + 1);
    }
    if (process.env.JIT_FUZZ_STATS) console.log(Object.fromEntries(faults));
    if (N >= 200) expect(faults.get('none') ?? 0).toBeGreaterThan(N / 20);
  }, 600_000);
});
