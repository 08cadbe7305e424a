// conformance.test.ts: every bpf_conformance vector (../shared, skipped when absent) on both tiers:
// the compiled tier (compiled on the first run) must give the interpreter's r0, instruction count
// and fault, and the suite's expected result.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFORMANCE_HELPER_ID } from '../../../src/bpf/interp/conformance.js';
import { decodeHex } from '../../../src/bpf/insn.js';
import { Region } from '../../../src/bpf/memory.js';
import { pointer, Vm, type RunResult } from '../../../src/bpf/vm.js';
import { engineOf, runProgram, type Engine } from '../../../src/bpf/jit/index.js';

interface Vector {
  name: string;
  program: string;
  memory: string;
  result: string;
}

const file = fileURLToPath(new URL('../../../../shared/conformance/bpf_conformance/tests.jsonl', import.meta.url));
const vectors: Vector[] = existsSync(file)
  ? readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Vector)
  : [];

/** The suite's contract (interp/conformance.ts) on the chosen tier; returns the result and memory after. */
function run(v: Vector, engine: Engine): { r: RunResult; mem: string; engine: string } {
  const exe = { name: v.name, insns: decodeHex(v.program, v.name) };
  const vm = new Vm();
  vm.helpers[CONFORMANCE_HELPER_ID] = (m) => {
    m.regs[0] = 0;
    m.regs[1] = 0;
  };
  const bytes = Uint8Array.from(Buffer.from(v.memory.replace(/\s+/g, ''), 'hex'));
  const r1 = bytes.length > 0 ? pointer(vm.memory.addStatic(new Region('memory', bytes, true)), 0) : 0n;
  const r = runProgram(vm, exe, r1, { r2: bytes.length, engine, hotRuns: 0 });
  const e = engineOf(exe);
  return { r, mem: Buffer.from(bytes).toString('hex'), engine: e.engine + (e.reason ? ` (${e.reason})` : '') };
}

describe.skipIf(vectors.length === 0)('bpf_conformance vectors, interpreter vs compiled', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const a = run(v, 'interpreter');
    const b = run(v, 'compiled');
    expect(b.engine).toBe('compiled');
    expect(b.r.fault?.describe()).toBe(a.r.fault?.describe());
    expect(b.r.r0u64).toBe(a.r.r0u64);
    expect(b.r.insnCount).toBe(a.r.insnCount);
    expect(b.mem).toBe(a.mem);
    expect('0x' + b.r.r0u64.toString(16)).toBe('0x' + BigInt(v.result).toString(16));
  });
});
