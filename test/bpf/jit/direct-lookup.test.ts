// direct-lookup.test.ts: compiled bpf_map_lookup_elem calls that skip the helper (compile.ts
// directLookup) against the interpreter's helper call: r0, instruction counts, faults, value
// updates through the returned pointer and the maps afterwards must be identical, on the direct
// path (hash, array, per-CPU, LRU) and off it (a key that leaves the stack, a map-in-map, a
// replaced helper, the same program on another simulator whose map ids mean other maps).
import { describe, expect, it } from 'vitest';
import { assemble } from '../../../src/bpf/asm/index.js';
import { TAG_MAP_PTR } from '../../../src/bpf/memory.js';
import { BPF_MAP_TYPE as T } from '../../../src/bpf/spec.js';
import type { BpfMap } from '../../../src/bpf/maps/index.js';
import type { Executable, RunResult } from '../../../src/bpf/vm.js';
import { compiledSource, engineOf, runProgram } from '../../../src/bpf/jit/index.js';
import { Simulator } from '../../../src/sim/simulator.js';

const mapPtr = (id: number): string => `${(BigInt(TAG_MAP_PTR) << 32n) | BigInt(id)} ll`;

/** Looks up the key stored at r10 + K (K < 0), adds 1 to the first u64 of the value, returns it (or -1 on a miss). */
function counter(id: number, keyStore: string, k: number): string {
  return `
    ${keyStore}
    r2 = r10
    r2 += ${k}
    r1 = ${mapPtr(id)}
    call 1
    if r0 == 0 goto miss
    r1 = *(u64 *)(r0 + 0)
    r1 += 1
    *(u64 *)(r0 + 0) = r1
    r0 = r1
    exit
  miss:
    r0 = -1
    exit
  `;
}

interface Setup {
  sim: Simulator;
  map: BpfMap;
}

type MapKind = { type: number; keySize: number; valueSize: number; innerMap?: { type: number; keySize: number; valueSize: number; maxEntries: number; flags: number } };

function setup(kind: MapKind, cpus = 1): Setup {
  const sim = new Simulator({ cpus });
  const map = sim.createMap({ name: 'm', maxEntries: 8, flags: 0, ...kind } as never);
  return { sim, map };
}

function key(size: number, v: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size && i < 4; i++) b[i] = (v >>> (8 * i)) & 0xff;
  return b;
}

/** Runs `text` `runs` times per tier on twin simulators; returns [interpreted, compiled] outcomes. */
function twin(kind: MapKind, text: (id: number) => string, prepare: (s: Setup) => void, runs = 4): { outs: unknown[][]; source: string } {
  const outs: unknown[][] = [];
  let source = '';
  for (const compiled of [false, true]) {
    const s = setup(kind);
    prepare(s);
    const exe: Executable = { name: 'lookup', insns: assemble(text(s.map.id)) };
    const seen: unknown[] = [];
    for (let i = 0; i < runs; i++) {
      const r: RunResult = compiled ? runProgram(s.sim.vm, exe, undefined, { hotRuns: 0 }) : s.sim.vm.run(exe);
      seen.push({ r0: r.r0u64, count: r.insnCount, fault: r.fault?.describe() });
    }
    if (compiled) {
      expect(engineOf(exe)).toEqual({ engine: 'compiled' });
      source = compiledSource(exe);
    }
    const dump: string[] = [];
    for (let k = 0; k < 4; k++) {
      try {
        dump.push(Buffer.from(s.map.lookup(key(s.map.keySize, k))).toString('hex'));
      } catch (e) {
        dump.push(String((e as { code?: string }).code));
      }
    }
    seen.push(dump);
    outs.push(seen);
  }
  expect(outs[1]).toEqual(outs[0]);
  return { outs, source };
}

const fill = (s: Setup): void => {
  for (const k of [1, 3]) s.map.update(key(s.map.keySize, k), new Uint8Array(s.map.sysValueSize).fill(k));
};

describe('compiled bpf_map_lookup_elem with a constant map and a stack key', () => {
  it('hash: hits and misses agree and the direct path is taken', () => {
    for (const k of [1, 2, 3]) {
      const { source, outs } = twin({ type: T.HASH, keySize: 2, valueSize: 8 }, (id) => counter(id, `*(u16 *)(r10 - 2) = ${k}`, -2), fill);
      expect(source).toMatch(/progLookup/);
      expect((outs[1][0] as { r0: bigint }).r0).toBe(k === 2 ? 0xffffffffffffffffn : 0x0101010101010101n * BigInt(k) + 1n);
    }
  });

  it('array, per-CPU array, per-CPU hash and LRU hash agree', () => {
    const kinds: MapKind[] = [
      { type: T.ARRAY, keySize: 4, valueSize: 12 },
      { type: T.PERCPU_ARRAY, keySize: 4, valueSize: 8 },
      { type: T.PERCPU_HASH, keySize: 4, valueSize: 8 },
      { type: T.LRU_HASH, keySize: 4, valueSize: 16 },
      { type: T.LRU_PERCPU_HASH, keySize: 4, valueSize: 8 },
    ];
    for (const kind of kinds) {
      for (const k of [1, 2, 9]) twin(kind, (id) => counter(id, `*(u32 *)(r10 - 8) = ${k}`, -8), fill);
    }
  });

  it('a key that would leave the stack takes the helper and faults the same way', () => {
    const { outs } = twin({ type: T.HASH, keySize: 4, valueSize: 8 }, (id) => counter(id, '*(u16 *)(r10 - 2) = 1', -2), fill);
    expect((outs[1][0] as { fault?: string }).fault).toMatch(/out_of_bounds/);
  });

  it('a map-in-map lookup keeps the helper', () => {
    const inner = { type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: 0 };
    const text = (id: number): string => `*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = ${mapPtr(id)}\ncall 1\nexit`;
    twin({ type: T.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, innerMap: inner }, text, () => undefined);
  });

  it('a VM whose lookup helper is another function calls that function', () => {
    const s = setup({ type: T.HASH, keySize: 2, valueSize: 8 });
    fill(s);
    const calls: number[] = [];
    const real = s.sim.vm.helpers[1]!;
    s.sim.vm.helpers[1] = (vm) => {
      calls.push(vm.pc);
      real(vm);
    };
    const exe: Executable = { name: 'lookup', insns: assemble(counter(s.map.id, '*(u16 *)(r10 - 2) = 1', -2)) };
    const r = runProgram(s.sim.vm, exe, undefined, { hotRuns: 0 });
    expect(engineOf(exe)).toEqual({ engine: 'compiled' });
    expect(calls).toEqual([5]); // the call's slot (the lddw takes two)
    expect(r.r0).toBe(0x01010102);
  });

  it('the same program on another simulator looks up that simulator’s map', () => {
    const a = setup({ type: T.HASH, keySize: 2, valueSize: 8 });
    const b = setup({ type: T.ARRAY, keySize: 4, valueSize: 8 });
    expect(a.map.id).toBe(b.map.id);
    fill(a);
    const exe: Executable = { name: 'lookup', insns: assemble(counter(a.map.id, '*(u32 *)(r10 - 4) = 1', -4)) };
    // a's map has 2-byte keys (the low half of the u32 is 1), b's is an array (index 1)
    const ra = runProgram(a.sim.vm, exe, undefined, { hotRuns: 0 });
    const rb = runProgram(b.sim.vm, exe, undefined, { hotRuns: 0 });
    const ra2 = runProgram(a.sim.vm, exe, undefined, { hotRuns: 0 });
    expect([ra.r0, rb.r0, ra2.r0]).toEqual([0x01010102, 1, 0x01010103]);
  });
});
