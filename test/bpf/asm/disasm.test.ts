// disasm.test.ts: the disassembler never throws, names what llvm cannot, and prints
// relocations, helper names and branch targets when asked.
import { describe, expect, it } from 'vitest';
import { disasmInsn, disassemble } from '../../../src/bpf/asm/index.js';
import { type Insn, decodeHex, insn } from '../../../src/bpf/insn.js';
import * as O from '../../../src/bpf/opcodes.js';

describe('disasmInsn', () => {
  it('prints encodings llvm cannot name as <unknown 0xNN>', () => {
    const unknown: [Insn, string][] = [
      [insn(0x8c, 1, 2), '<unknown 0x8c>'], // ALU NEG with X
      [insn(O.BPF_ALU | O.BPF_MOV | O.BPF_X, 1, 2, 32), '<unknown 0xbc>'], // movsx 32 in ALU
      [insn(O.BPF_ALU64 | O.BPF_END | O.BPF_TO_BE, 1, 0, 0, 16), '<unknown 0xdf>'],
      [insn(O.BPF_ALU | O.BPF_END, 1, 0, 0, 8), '<unknown 0xd4>'],
      [insn(O.BPF_ALU64 | O.BPF_ADD | O.BPF_K, 1, 0, 3, 5), '<unknown 0x07>'],
      [insn(O.BPF_ALU64 | O.BPF_DIV | O.BPF_X, 1, 2, 2), '<unknown 0x3f>'],
      [insn(0xf7, 1), '<unknown 0xf7>'],
      [insn(O.BPF_JMP32 | O.BPF_CALL), '<unknown 0x86>'],
      [insn(O.BPF_JMP32 | O.BPF_EXIT), '<unknown 0x96>'],
      [insn(O.BPF_JMP | O.BPF_CALL, 0, 3, 0, 1), '<unknown 0x85>'],
      [insn(0xf5), '<unknown 0xf5>'],
      [insn(O.BPF_LDX | O.BPF_MEMSX | O.BPF_DW, 1, 2), '<unknown 0x99>'],
      [insn(O.BPF_LDX | O.BPF_ABS | O.BPF_W), '<unknown 0x21>'],
      [insn(O.BPF_ST | O.BPF_ATOMIC | O.BPF_W), '<unknown 0xc2>'],
      [insn(O.BPF_STX | O.BPF_ATOMIC | O.BPF_DW, 1, 2, 0, 0x20), '<unknown 0xdb>'],
      [insn(O.BPF_STX | O.BPF_ATOMIC | O.BPF_B, 1, 2, 0, O.BPF_ADD), '<unknown 0xd3>'],
      [insn(O.BPF_LD | O.BPF_ABS | O.BPF_DW), '<unknown 0x38>'],
      [insn(O.BPF_LD | O.BPF_MEM | O.BPF_W), '<unknown 0x60>'],
      [insn(0x00), '<unknown 0x00>'], // the second half of an lddw, read on its own
    ];
    for (const [x, text] of unknown) expect(disasmInsn([x], 0)).toBe(text);
  });

  it('never throws, whatever the 8 bytes', () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed;
    };
    for (let code = 0; code < 256; code++) {
      for (let k = 0; k < 40; k++) {
        const r = rand();
        const x = insn(code, r & 15, (r >>> 4) & 15, ((rand() << 16) >> 16), rand() | 0);
        const text = disasmInsn([x, insn(0, 0, 0, 0, rand() | 0)], 0, { hex: (k & 1) === 1 });
        expect(typeof text).toBe('string');
      }
    }
    expect(disasmInsn([], 0)).toBe('<no instruction>');
  });

  it('prints an lddw missing its second slot as unknown', () => {
    expect(disasmInsn([insn(O.BPF_LD | O.BPF_IMM | O.BPF_DW, 1, 0, 0, 1)], 0)).toBe('<unknown 0x18>');
  });

  it('names targets through the symbolizer', () => {
    const x = [insn(O.BPF_JMP | O.BPF_JEQ | O.BPF_K, 1, 0, 2, 0)];
    expect(disasmInsn(x, 0, { symbolize: (t) => (t === 3 ? 'out' : undefined) })).toBe('if r1 == 0 goto +2 <out>');
  });

  it('prints relocations by name', () => {
    const x = [insn(O.BPF_LD | O.BPF_IMM | O.BPF_DW, 1), insn(0), insn(O.BPF_JMP | O.BPF_CALL, 0, O.BPF_PSEUDO_KFUNC_CALL)];
    const relocs = [
      { insn: 0, kind: 'map', map: 'flows' },
      { insn: 2, kind: 'ksym', symbol: 'bpf_ct_release' },
    ] as const;
    expect(disasmInsn(x, 0, { relocs })).toBe('r1 = map[flows] ll');
    expect(disasmInsn(x, 2, { relocs })).toBe('call kfunc[bpf_ct_release]');
    expect(disasmInsn(x, 2)).toBe('call kfunc[0]');
    expect(disasmInsn(x, 0, { relocs: [{ insn: 0, kind: 'func', target: 7 }] })).toBe('r1 = func[pc+6] ll');
  });

  it('prints the names of helpers ids the kernel lacks as helper#N', () => {
    expect(disasmInsn([insn(O.BPF_JMP | O.BPF_CALL, 0, 0, 0, 999)], 0, { helperNames: true })).toBe('call 999 ; helper#999');
  });
});

describe('disassemble', () => {
  it('lays out a listing like llvm-objdump, lddw on one line', () => {
    const x = decodeHex('b700000000000000 1801000088776655 0000000044332211 9500000000000000');
    expect(disassemble(x, { hex: true, raw: true })).toBe(
      [
        '       0:\tb7 00 00 00 00 00 00 00\tr0 = 0x0',
        '       1:\t18 01 00 00 88 77 66 55 00 00 00 00 44 33 22 11\tr1 = 0x1122334455667788 ll',
        '       3:\t95 00 00 00 00 00 00 00\texit',
        '',
      ].join('\n'),
    );
    expect(disassemble([])).toBe('');
  });
});
