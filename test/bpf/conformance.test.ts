// conformance.test.ts: the 313 bpf_conformance vectors, read in place from
// ../shared/conformance/bpf_conformance/tests.jsonl; skipped when that folder is absent.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runConformanceVector } from '../../src/bpf/interp/conformance.js';
import { conformancePlugin } from '../../src/cli/commands/conformance-plugin.js';

interface Vector {
  name: string;
  program: string;
  memory: string;
  result: string;
}

const file = fileURLToPath(new URL('../../../shared/conformance/bpf_conformance/tests.jsonl', import.meta.url));
const vectors: Vector[] = existsSync(file)
  ? readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Vector)
  : [];

describe.skipIf(vectors.length === 0)('bpf_conformance vectors', () => {
  it('has all 313 vectors', () => {
    expect(vectors.length).toBe(313);
  });
  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const r = runConformanceVector(v.program, v.memory, v.name);
    expect(r.fault?.describe()).toBeUndefined();
    expect('0x' + r.r0u64.toString(16)).toBe('0x' + BigInt(v.result).toString(16));
  });
});

describe('tcxsim conformance-plugin', () => {
  it('prints r0 in hex and exits 0', () => {
    // r0 = *(u16 *)(r1 + 0); r0 += r2; exit — memory hex with the suite's spaces
    const out = conformancePlugin('6910000000000000 0f20000000000000 9500000000000000\n', '34  12');
    expect(out).toEqual({ code: 0, stdout: '1236\n', stderr: '' });
  });
  it('runs with no memory (r1 = 0) and prints all 64 bits', () => {
    expect(conformancePlugin('18000000887766550000000044332211 9500000000000000', '').stdout).toBe('1122334455667788\n');
  });
  it('exits non-zero with the fault on stderr', () => {
    const out = conformancePlugin('7110080000000000 9500000000000000', '0102');
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/^tcxsim: out_of_bounds at insn 0 \(.*\): 1-byte read at offset 8 of memory \(2 bytes\)\n$/);
  });
  it.skipIf(vectors.length === 0)('answers every vector', () => {
    for (const v of vectors) {
      const out = conformancePlugin(v.program, v.memory);
      expect(out.code, v.name).toBe(0);
      expect(BigInt('0x' + out.stdout.trim()), v.name).toBe(BigInt(v.result));
    }
  });
});
