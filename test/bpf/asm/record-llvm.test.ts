// record-llvm.test.ts: re-records test/fixtures/asm/llvm-objdump.json from the real LLVM tools.
// Skipped unless RECORD_ASM_FIXTURE=1 (needs LLVM 21+ tools for load_acquire; LLVM_BIN picks
// their folder, LLVM_MC_BIN llvm-mc's, CLANG the clang for prog.c). The other tests only read the committed fixture.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeInsns } from '../../../src/bpf/insn.js';
import { allInsns } from './all-insns.js';

const RECORD = process.env.RECORD_ASM_FIXTURE === '1';
const BIN = process.env.LLVM_BIN ?? '/usr/lib/llvm-22/bin';
const BIN19 = process.env.LLVM19_BIN ?? '/usr/lib/llvm-19/bin';
const MC_BIN = process.env.LLVM_MC_BIN ?? BIN;
const CLANG = process.env.CLANG ?? '/usr/lib/llvm-19/bin/clang';
const FIXTURE = new URL('../../fixtures/asm/llvm-objdump.json', import.meta.url);
const PROG_C = new URL('../../fixtures/asm/prog.c', import.meta.url);

/** objdump flags per mode of the disassembler (see src/bpf/asm/disasm.ts DisasmOptions). */
const MODES: Record<string, { bin: string; flags: string[] }> = {
  plain: { bin: BIN, flags: ['-d', '--no-print-imm-hex'] },
  hex: { bin: BIN, flags: ['-d', '--print-imm-hex'] },
  narrowAsR: { bin: BIN19, flags: ['-d', '--no-print-imm-hex'] },
};

const run = (cmd: string, args: string[], input?: string): string =>
  execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });

/** index -> text of an objdump listing, without the `<.text+0x..>` target annotation. */
function objdumpTexts(obj: string, mode: { bin: string; flags: string[] }): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of run(join(mode.bin, 'llvm-objdump'), [...mode.flags, obj]).split('\n')) {
    const m = /^\s*(\d+):\t[0-9a-f ]+\t(.*?)(?: <\.text\+0x[0-9a-f]+>)?$/.exec(line);
    if (m !== null) out.set(Number(m[1]), m[2]);
  }
  return out;
}

/** What llvm-mc assembles each line to (hex), or null where it refuses the line. */
function mcEncodings(lines: string[], dir: string): (string | null)[] {
  const file = join(dir, 'mc.s');
  writeFileSync(file, lines.join('\n') + '\n');
  let stdout = '';
  let stderr = '';
  try {
    stdout = run(join(MC_BIN, 'llvm-mc'), ['-triple', 'bpf', '-mcpu=v4', '-show-encoding', file]);
  } catch (e) {
    const err = e as { stdout: string; stderr: string };
    stdout = err.stdout;
    stderr = err.stderr;
  }
  const failed = new Set([...stderr.matchAll(/mc\.s:(\d+):\d+: error/g)].map((m) => Number(m[1]) - 1));
  const encs = [...stdout.matchAll(/# encoding: \[([^\]]*)\]/g)].map((m) =>
    m[1].split(',').map((b) => b.replace('0x', '').padStart(2, '0')).join(''),
  );
  let k = 0;
  return lines.map((_, i) => (failed.has(i) ? null : (encs[k++] ?? null)));
}

describe.skipIf(!RECORD)('record llvm fixture', () => {
  it('records objdump text and llvm-mc encodings for every instruction form', () => {
    const dir = mkdtempSync(join(tmpdir(), 'asm-fixture-'));
    const cases = allInsns();
    const bytes = encodeInsns(cases.flat());
    const s = [];
    for (let i = 0; i < bytes.length; i += 8) s.push(`.byte ${[...bytes.subarray(i, i + 8)].join(', ')}`);
    writeFileSync(join(dir, 'all.s'), s.join('\n') + '\n');
    const obj = join(dir, 'all.o');
    run(join(BIN, 'llvm-mc'), ['-triple', 'bpf', '-filetype=obj', join(dir, 'all.s'), '-o', obj]);
    const texts = Object.fromEntries(Object.entries(MODES).map(([m, f]) => [m, objdumpTexts(obj, f)]));
    const rows: Record<string, string>[] = [];
    let pc = 0;
    for (const c of cases) {
      const hex = Buffer.from(encodeInsns(c)).toString('hex');
      const row: Record<string, string> = { bytes: hex };
      for (const m of Object.keys(MODES)) row[m] = texts[m].get(pc) ?? '<missing>';
      rows.push(row);
      pc += c.length;
    }
    for (const m of ['plain', 'narrowAsR'] as const) {
      const enc = mcEncodings(rows.map((r) => r[m]), dir);
      rows.forEach((r, i) => {
        if (enc[i] !== null) r[`${m}_mc`] = enc[i] as string;
      });
    }

    // A clang-built program as a whole listing, with the bytes of its section.
    const o = join(dir, 'prog.o');
    run(CLANG, ['-O2', '-target', 'bpf', '-mcpu=v4', '-I/usr/include/x86_64-linux-gnu', '-c', PROG_C.pathname, '-o', o]);
    const listing = run(join(BIN, 'llvm-objdump'), ['-d', '--no-print-imm-hex', '--section=tc', o]).replace(o, 'prog.o');
    run(join(BIN, 'llvm-objcopy'), ['-O', 'binary', '--only-section=tc', o, join(dir, 'tc.bin')]);
    const progHex = readFileSync(join(dir, 'tc.bin')).toString('hex');

    const version = (bin: string, tool: string): string => `${tool} ${/LLVM version \S+/.exec(run(join(bin, tool), ['--version']))?.[0]}`;
    const fixture = {
      note: 'Recorded by RECORD_ASM_FIXTURE=1 vitest run test/bpf/asm/record-llvm.test.ts. Per case: the instruction bytes (hex), llvm-objdump text per mode, and what llvm-mc assembles that text to (absent where llvm-mc refuses it).',
      mc: version(MC_BIN, 'llvm-mc'),
      modes: Object.fromEntries(Object.entries(MODES).map(([m, { bin, flags }]) => [m, [version(bin, 'llvm-objdump'), ...flags].join(' ')])),
      cases: rows,
      program: { source: 'test/fixtures/asm/prog.c', clang: `${/clang version \S+/.exec(run(CLANG, ['--version']))?.[0]} -O2 -target bpf -mcpu=v4`, objdump: ['-d', '--no-print-imm-hex', '--section=tc'], listing, hex: progHex },
    };
    writeFileSync(FIXTURE, JSON.stringify(fixture, null, 1) + '\n');
    expect(rows.length).toBe(cases.length);
  });
});
