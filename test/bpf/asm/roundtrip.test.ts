// roundtrip.test.ts: assemble(disasm(x)) == x for every instruction form the ISA allows, in
// every disassembler mode, one instruction at a time and as whole listings.
import { describe, expect, it } from 'vitest';
import { type DisasmOptions, assemble, assembleProgram, disasmInsn, disassemble } from '../../../src/bpf/asm/index.js';
import { insn } from '../../../src/bpf/insn.js';
import * as O from '../../../src/bpf/opcodes.js';
import { allInsns } from './all-insns.js';

const MODES: Record<string, DisasmOptions> = {
  plain: {},
  hex: { hex: true },
  narrowAsR: { narrowAsR: true },
  'hex+narrowAsR+helperNames': { hex: true, narrowAsR: true, helperNames: true },
};

describe('round trip', () => {
  const cases = allInsns();

  it('covers every class, ALU op, jump op, size and atomic', () => {
    const codes = new Set(cases.map((c) => c[0].code));
    expect(cases.length).toBeGreaterThan(550);
    // 12 ALU ops x K/X x 2 classes + NEG x2 + END (3 in ALU/ALU64 forms)
    for (const cls of [O.BPF_ALU, O.BPF_ALU64]) for (const op of [O.BPF_ADD, O.BPF_SUB, O.BPF_MUL, O.BPF_DIV, O.BPF_OR, O.BPF_AND, O.BPF_LSH, O.BPF_RSH, O.BPF_MOD, O.BPF_XOR, O.BPF_MOV, O.BPF_ARSH]) {
      expect(codes.has(cls | op | O.BPF_K) && codes.has(cls | op | O.BPF_X)).toBe(true);
    }
    for (const cls of [O.BPF_JMP, O.BPF_JMP32]) for (let op = 0x10; op <= 0xd0; op += 0x10) {
      if (op === O.BPF_CALL || op === O.BPF_EXIT) continue;
      expect(codes.has(cls | op | O.BPF_K) && codes.has(cls | op | O.BPF_X)).toBe(true);
    }
    const atomics = new Set(cases.filter((c) => O.opClass(c[0].code) === O.BPF_STX && O.opMode(c[0].code) === O.BPF_ATOMIC).map((c) => `${c[0].code}/${c[0].imm}`));
    expect(atomics.size).toBe(2 * 10 + 4 * 2);
  });

  for (const [name, opts] of Object.entries(MODES)) {
    it(`holds for each instruction (${name})`, () => {
      for (const c of cases) {
        const text = disasmInsn(c, 0, opts);
        expect(text).not.toMatch(/unknown/);
        expect(assemble(text), text).toEqual(c);
      }
    });
  }

  it('holds for a listing with raw bytes, labels and function headers', () => {
    const insns = cases.flat();
    const listing = disassemble(insns, { raw: true, labels: true, funcs: [{ name: 'all', insn: 0 }, { name: 'half', insn: 300 }] });
    expect(listing).toContain('0000000000000960 <half>:');
    expect(listing).toContain('goto +76 <L368>');
    expect(listing).toContain('\nL368:\n');
    expect(assemble(listing)).toEqual(insns);
  });

  it('keeps relocations through disassemble(relocs) and assemble', () => {
    const src = [
      'r1 = map[flows] ll',
      'r2 = map[.rodata.str1.1][0]+16 ll',
      'r3 = ksym[bpf_prog_active] ll',
      'call kfunc[bpf_skb_ct_lookup]',
      'exit',
    ].join('\n');
    const p = assembleProgram(src);
    expect(p.relocs).toEqual([
      { insn: 0, kind: 'map', map: 'flows' },
      { insn: 2, kind: 'map_value', map: '.rodata.str1.1', offset: 16 },
      { insn: 4, kind: 'ksym', symbol: 'bpf_prog_active' },
      { insn: 6, kind: 'ksym', symbol: 'bpf_skb_ct_lookup' },
    ]);
    const text = disassemble(p.insns, { relocs: p.relocs });
    expect(text).toContain('r2 = map[.rodata.str1.1][0]+16 ll');
    const back = assembleProgram(text);
    expect(back.insns).toEqual(p.insns);
    expect(back.relocs).toEqual(p.relocs);
  });

  it('reads bpf-to-bpf calls and func addresses by label, and prints them with names', () => {
    const p = assembleProgram(['main:', '  r1 = func[cb] ll', '  call sub', '  exit', 'sub:', '  r0 = 1', '  exit', 'cb:', '  exit'].join('\n'));
    expect(p.insns[0]).toEqual(insn(O.BPF_LD | O.BPF_IMM | O.BPF_DW, 1, O.BPF_PSEUDO_FUNC, 0, 5));
    expect(p.insns[2]).toEqual(insn(O.BPF_JMP | O.BPF_CALL, 0, O.BPF_PSEUDO_CALL, 0, 1));
    expect(p.funcs).toEqual([{ name: 'main', insn: 0 }, { name: 'sub', insn: 4 }]);
    expect(p.relocs).toEqual([{ insn: 0, kind: 'func', target: 6 }]);
    const text = disassemble(p.insns, { funcs: [...p.funcs, { name: 'cb', insn: 6 }] });
    expect(text).toBe(
      [
        '0000000000000000 <main>:',
        '       0:\tr1 = func[pc+5] ll <cb>',
        '       2:\tcall pc+1 <sub>',
        '       3:\texit',
        '',
        '0000000000000020 <sub>:',
        '       4:\tr0 = 1',
        '       5:\texit',
        '',
        '0000000000000030 <cb>:',
        '       6:\texit',
        '',
      ].join('\n'),
    );
    expect(assemble(text)).toEqual(p.insns);
  });
});
