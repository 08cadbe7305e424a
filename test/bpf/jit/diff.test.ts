// diff.test.ts: the differential test of the two tiers on random valid programs (gen.ts). Each
// seed runs on the interpreter, on compiled code, and on compiled code without dead high-half
// elimination; r0, instruction count, fault (kind, pc, text), registers, every region's bytes and
// the helper calls (with their arguments and the count at each) must be identical.
//
//   npm test runs 300 seeds; a longer run:  JIT_FUZZ_N=100000 npx vitest run test/bpf/jit
//   another range of seeds:                 JIT_FUZZ_SEED=5000000 JIT_FUZZ_N=20000 npx vitest run test/bpf/jit
import { describe, expect, it } from 'vitest';
import { BpfFault } from '../../../src/bpf/fault.js';
import type { Insn } from '../../../src/bpf/insn.js';
import { Region, TAG_STACK0 } from '../../../src/bpf/memory.js';
import { MAX_CALL_FRAMES } from '../../../src/bpf/opcodes.js';
import { pointer, Vm, type Executable } from '../../../src/bpf/vm.js';
import { engineOf, runProgram } from '../../../src/bpf/jit/index.js';
import {
  generate, generateTailTarget, H_COUNT, H_MAYBE_FAULT, H_MIX, H_TAIL, PACKET_SIZE, PACKET_TAG, RODATA_SIZE, RODATA_TAG, Rng,
  SLAB_ELEM, SLAB_SIZE, SLAB_STRIDE, SLAB_TAG,
} from './gen.js';

const N = Number(process.env.JIT_FUZZ_N ?? 300);
const FIRST = Number(process.env.JIT_FUZZ_SEED ?? 1);

type Tier = 'interpreter' | 'compiled' | 'compiled-exact';

interface Outcome {
  r0: number;
  r0Hi: number;
  insnCount: number;
  fault: string | undefined;
  /** Low words of r0..r10 (high words of r1..r9 are unspecified after exit in compiled code). */
  lo: number[];
  /** All 22 halves (compared against the exact compiled variant only). */
  all: number[];
  memory: string[];
  calls: string[];
}

function bytesFor(rng: Rng, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => rng.int(256));
}

function run(seed: number, insns: Insn[], target: Insn[], tier: Tier, limit: number | undefined): Outcome {
  const vm = new Vm();
  const fill = new Rng(seed * 31 + 7);
  const regions = [
    new Region('packet', bytesFor(fill, PACKET_SIZE), true),
    new Region('slab', bytesFor(fill, SLAB_SIZE), true, SLAB_STRIDE, SLAB_ELEM),
    new Region('rodata', bytesFor(fill, RODATA_SIZE), false),
  ];
  const tags = regions.map((r) => vm.memory.addStatic(r));
  expect(tags).toEqual([PACKET_TAG, SLAB_TAG, RODATA_TAG]);
  const calls: string[] = [];
  const args = (m: Vm): string => Array.from(m.regs.subarray(2, 12)).join(',');
  const tailExe: Executable = { name: 'tail-target', insns: target };
  let counter = 0;
  vm.helpers[H_MIX] = (m) => {
    calls.push(`mix@${m.pc}#${m.insnCount}:${args(m)}`);
    m.regs[0] = m.regs[2] ^ m.regs[4];
    m.regs[1] = m.regs[6] ^ m.regs[9];
  };
  vm.helpers[H_COUNT] = (m) => {
    calls.push(`count@${m.pc}#${m.insnCount}:${args(m)}`);
    m.regs[0] = ++counter;
    m.regs[1] = 0;
  };
  vm.helpers[H_MAYBE_FAULT] = (m) => {
    calls.push(`maybe@${m.pc}#${m.insnCount}:${args(m)}`);
    if ((m.regs[2] & 0xff) === 0x5a) throw new BpfFault('helper_fault', -1, 'stub refuses r1 & 0xff == 0x5a');
    m.regs[0] = m.regs[10];
    m.regs[1] = -1;
  };
  vm.helpers[H_TAIL] = (m) => {
    calls.push(`tail@${m.pc}#${m.insnCount}:${args(m)}`);
    if (m.tailCallCount < 3 && (m.regs[6] & 1) === 0) {
      m.tailCallCount++;
      m.tailCallTarget = tailExe;
    }
    m.regs[0] = -2;
    m.regs[1] = -1;
  };
  const exe: Executable = { name: `fuzz-${seed}`, insns };
  const r1 = pointer(PACKET_TAG, 0);
  const opts = { r2: pointer(SLAB_TAG, 0), insnLimit: limit };
  const r =
    tier === 'interpreter'
      ? vm.run(exe, r1, opts)
      : runProgram(vm, exe, r1, { ...opts, engine: 'compiled', hotRuns: 0, compile: { deadHalves: tier === 'compiled' } });
  if (tier !== 'interpreter') expect(engineOf(exe), `seed ${seed}`).toEqual({ engine: 'compiled' });
  const memory = regions.map((x) => Buffer.from(x.bytes).toString('hex'));
  for (let k = 0; k < MAX_CALL_FRAMES; k++) memory.push(Buffer.from(vm.memory.regions[TAG_STACK0 + k].bytes).toString('hex'));
  return {
    r0: r.r0,
    r0Hi: r.r0Hi,
    insnCount: r.insnCount,
    fault: r.fault?.describe(),
    lo: Array.from(vm.regs).filter((_, i) => i % 2 === 0),
    all: Array.from(vm.regs),
    memory,
    calls,
  };
}

const CHUNK = 1000;

describe(`differential: interpreter vs compiled on ${N} random programs (seeds ${FIRST}..${FIRST + N - 1})`, () => {
  for (let from = FIRST; from < FIRST + N; from += CHUNK) {
    const to = Math.min(FIRST + N, from + CHUNK);
    it(`seeds ${from}..${to - 1} agree on r0, count, faults, registers, memory and helper calls`, () => {
      const faults = new Map<string, number>();
      for (let seed = from; seed < to; seed++) {
        const insns = generate(seed);
        const target = generateTailTarget(seed);
        const pick = new Rng(seed ^ 0x9e3779b9);
        const limit = pick.chance(0.15) ? 1 + pick.int(300) : undefined;
        const a = run(seed, insns, target, 'interpreter', limit);
        const b = run(seed, insns, target, 'compiled', limit);
        const c = run(seed, insns, target, 'compiled-exact', limit);
        const what = `seed ${seed} (JIT_FUZZ_SEED=${seed} JIT_FUZZ_N=1 reproduces it)`;
        expect({ ...b, all: undefined }, what).toEqual({ ...a, all: undefined });
        expect(c, `${what}, without dead high-half elimination`).toEqual(a);
        const kind = a.fault?.split(' ')[0] ?? 'none';
        faults.set(kind, (faults.get(kind) ?? 0) + 1);
      }
      if (process.env.JIT_FUZZ_STATS) console.log(Object.fromEntries(faults));
      // the generator must keep exercising both clean exits and faults
      if (to - from >= 200) {
        expect(faults.get('none') ?? 0).toBeGreaterThan((to - from) / 10);
        expect(faults.get('out_of_bounds') ?? 0).toBeGreaterThan(0);
        expect(faults.get('insn_limit') ?? 0).toBeGreaterThan(0);
      }
    }, 120_000);
  }
});
