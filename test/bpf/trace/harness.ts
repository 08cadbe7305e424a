// harness.ts: a small bench for helper and trace tests: a Simulator with named maps, programs
// written in BPF assembly (maps and callbacks by name: `r1 = map[out] ll`, `r2 = func[cb] ll`),
// run through BPF_PROG_TEST_RUN on a fixed frame, and an `out` array (16 x u64) for results.
import '../../../src/bpf/helpers/index.js';
import { assembleProgram } from '../../../src/bpf/asm/index.js';
import type { BpfMap } from '../../../src/bpf/maps/map.js';
import { BPF_MAP_TYPE, BPF_PROG_TYPE, type MapSpec } from '../../../src/bpf/spec.js';
import type { Program } from '../../../src/sim/program.js';
import { Simulator } from '../../../src/sim/simulator.js';
import { testRun, type TestRunResult } from '../../../src/sim/test-run.js';

/** Ethernet + IPv4 (proto 6, 10.0.0.1 -> 10.0.0.2) + 20 payload bytes: 54 bytes. */
export function frame(len = 54): Uint8Array {
  const b = new Uint8Array(len);
  b.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00], 0);
  b.set([0x45, 0, 0, len - 14, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], 14);
  for (let i = 34; i < len; i++) b[i] = i;
  return b;
}

export const u32le = (v: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
};
export const u64le = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
};
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

type MapDef = Omit<MapSpec, 'contents' | 'section' | 'pinning' | 'name' | 'flags'> & { flags?: number };

export class Bench {
  readonly sim: Simulator;
  readonly maps = new Map<string, BpfMap>();
  readonly out: BpfMap;

  constructor(cpus = 2) {
    this.sim = new Simulator({ cpus });
    this.out = this.map('out', { type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 16 });
  }

  map(name: string, def: MapDef): BpfMap {
    const m = this.sim.createMap({ name, flags: 0, ...def });
    this.maps.set(name, m);
    return m;
  }

  prog(name: string, asm: string): Program {
    const a = assembleProgram(asm, { source: name });
    return this.sim.loadProgram(
      { name, section: 'tc', type: BPF_PROG_TYPE.SCHED_CLS, insns: a.insns, relocs: a.relocs, license: 'GPL', funcs: a.funcs },
      this.maps,
    );
  }

  run(prog: Program, data = frame(), ctxIn: Uint8Array | null = null): TestRunResult {
    return testRun(this.sim, prog, { dataIn: data, ctxIn });
  }

  /** out[slot] as a signed 64-bit value. */
  result(slot: number): bigint {
    return new DataView(this.out.lookup(u32le(slot)).buffer).getBigInt64(0, true);
  }

  results(n: number): bigint[] {
    return Array.from({ length: n }, (_, i) => this.result(i));
  }
}

/** Assembly: stores r0 into out[slot] (clobbers r1..r5 and stack -8/-16). */
export function save(slot: number): string {
  return `
    *(u64 *)(r10 - 8) = r0
    *(u32 *)(r10 - 16) = ${slot}
    r1 = map[out] ll
    r2 = r10
    r2 += -16
    r3 = r10
    r3 += -8
    r4 = 0
    call bpf_map_update_elem`;
}
