// assemble.test.ts: the assembler's own syntax (labels, comments, helper names, relocations,
// pasted listings) and its errors, which name <source>:<line>:<col>.
import { describe, expect, it } from 'vitest';
import { assemble, assembleProgram, disasmInsn } from '../../../src/bpf/asm/index.js';
import { SimError } from '../../../src/errors.js';
import { insn } from '../../../src/bpf/insn.js';
import * as O from '../../../src/bpf/opcodes.js';

describe('assemble', () => {
  it('reads the issue examples and prints them back the same', () => {
    const examples: [string, object][] = [
      ['r0 = 0', {}],
      ['w1 = w2', {}],
      ['r2 = *(u32 *)(r1 + 76)', { narrowAsR: true }],
      ['w2 = *(u32 *)(r1 + 76)', {}],
      ['if r3 > r2 goto +12', {}],
      ['if w1 s< -3 goto -2', {}],
      ['call 1', {}],
      ['lock *(u64 *)(r0 + 0) += r1', {}],
      ['r1 = 0x1122334455667788 ll', { hex: true }],
      ['r1 = 1234605616436508552 ll', {}],
      ['r1 = be16 r1', {}],
      ['r1 = bswap64 r1', {}],
      ['r1 = (s8)r2', {}],
      ['r0 = *(s16 *)(r1 + 2)', {}],
      ['gotol +100000', {}],
      ['r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)', {}],
      ['r0 = cmpxchg_64(r1 + 0, r0, r2)', {}],
      ['callx r2', {}],
      ['exit', {}],
      ['r0 = *(u8 *)skb[12]', {}],
    ];
    for (const [text, opts] of examples) expect(disasmInsn(assemble(text), 0, opts)).toBe(text);
  });

  it('takes labels, comments and blank lines', () => {
    const p = assembleProgram(
      [
        '# count down from 10',
        'start:  r1 = 10        ; the counter',
        'loop:',
        '  r1 += -1             // one less',
        '  if r1 s> 0 goto loop',
        '  if w1 == 0 goto done',
        '  gotol start',
        '',
        'done: r0 = 0',
        '  exit',
      ].join('\n'),
    );
    expect(p.insns).toEqual([
      insn(O.BPF_ALU64 | O.BPF_MOV | O.BPF_K, 1, 0, 0, 10),
      insn(O.BPF_ALU64 | O.BPF_ADD | O.BPF_K, 1, 0, 0, -1),
      insn(O.BPF_JMP | O.BPF_JSGT | O.BPF_K, 1, 0, -2, 0),
      insn(O.BPF_JMP32 | O.BPF_JEQ | O.BPF_K, 1, 0, 1, 0),
      insn(O.BPF_JMP32 | O.BPF_JA, 0, 0, 0, -5),
      insn(O.BPF_ALU64 | O.BPF_MOV | O.BPF_K, 0),
      insn(O.BPF_JMP | O.BPF_EXIT),
    ]);
    expect([...p.labels]).toEqual([['start', 0], ['loop', 1], ['done', 5]]);
    expect(p.funcs).toEqual([{ name: 'start', insn: 0 }]);
  });

  it('calls helpers by id or by name, with or without bpf_', () => {
    const x = assemble('call 12\ncall bpf_map_lookup_elem\ncall redirect\ncall 0x17');
    expect(x.map((i) => [i.src, i.imm])).toEqual([[0, 12], [0, 1], [0, 23], [0, 23]]);
    expect(disasmInsn(x, 1, { helperNames: true })).toBe('call 1 ; bpf_map_lookup_elem');
  });

  it('prefers a local label over a helper of the same name', () => {
    const x = assemble('call redirect\nexit\nredirect: exit');
    expect(x[0]).toEqual(insn(O.BPF_JMP | O.BPF_CALL, 0, O.BPF_PSEUDO_CALL, 0, 1));
  });

  it('reads map, map value, func and btf forms with fd/idx numbers', () => {
    const x = assemble('r1 = map[fd:3] ll\nr2 = map[idx:1][0]+8 ll\nr3 = func[pc-3] ll\nld_pseudo r4, 3, 42\nr5 = map[fd:0x10][0]+0x20 ll');
    expect(x.filter((_, i) => i % 2 === 0).map((i) => [i.dst, i.src, i.imm])).toEqual([
      [1, O.BPF_PSEUDO_MAP_FD, 3],
      [2, O.BPF_PSEUDO_MAP_IDX_VALUE, 1],
      [3, O.BPF_PSEUDO_FUNC, -3],
      [4, O.BPF_PSEUDO_BTF_ID, 42],
      [5, O.BPF_PSEUDO_MAP_VALUE, 16],
    ]);
    expect(x[3].imm).toBe(8);
    expect(x[9].imm).toBe(32);
  });

  it('reads packet loads, with an offset on the indirect form', () => {
    const x = assemble('r0 = *(u16 *)skb[-12]\nr0 = *(u32 *)skb[r7 + 4]\nr0 = *(u8 *)skb[r7]');
    expect(x).toEqual([
      insn(O.BPF_LD | O.BPF_ABS | O.BPF_H, 0, 0, 0, -12),
      insn(O.BPF_LD | O.BPF_IND | O.BPF_W, 0, 7, 0, 4),
      insn(O.BPF_LD | O.BPF_IND | O.BPF_B, 0, 7, 0, 0),
    ]);
  });

  it('takes 32-bit immediates as signed or unsigned bit patterns, and 64-bit ones with ll', () => {
    expect(assemble('r1 = 0xffffffff')[0].imm).toBe(-1);
    expect(assemble('w1 = -2147483648')[0].imm).toBe(-0x80000000);
    expect(assemble('r1 = 0xffffffffffffffff ll').map((i) => i.imm)).toEqual([-1, -1]);
    expect(assemble('r1 = -9223372036854775808 ll').map((i) => i.imm)).toEqual([0, -0x80000000]);
  });

  it('reads a pasted objdump listing, ignoring chrome and target annotations', () => {
    const listing = [
      '',
      'prog.o:\tfile format elf64-bpf',
      '',
      'Disassembly of section tc:',
      '',
      '0000000000000000 <prog>:',
      '       0:\tb7 00 00 00 00 00 00 00\tr0 = 0',
      '       1:\t15 01 01 00 00 00 00 00\tif r1 == 0 goto +1 <prog+0x18>',
      '       2:\t95 00 00 00 00 00 00 00\texit',
      '       3:\tr0 = 1',
      '       4:\texit',
    ].join('\n');
    const p = assembleProgram(listing);
    expect(p.insns.length).toBe(5);
    expect(p.insns[1]).toEqual(insn(O.BPF_JMP | O.BPF_JEQ | O.BPF_K, 1, 0, 1, 0));
    expect(p.labels.get('prog')).toBe(0);
  });
});

describe('assemble errors', () => {
  const cases: [string, string][] = [
    ['r1 = 0x1122334455667788', 'asm:1:6: 1234605616436508552 does not fit in 32 bits'],
    ['r0 = 0\n  goto nowhere', 'asm:2:8: undefined label \'nowhere\''],
    ['a: r0 = 0\n a: exit', "asm:2:2: label 'a' is already defined"],
    ['call bpf_nope', "asm:1:6: unknown helper or label 'bpf_nope'"],
    ['w1 += r2', "asm:1:7: 'r2' and 'w1' differ in width"],
    ['r1 += r11', "asm:1:7: no register 'r11' (r0..r10)"],
    ['*(u32 *)(r10 - 40000) = 1', 'asm:1:14: a memory offset -40000 does not fit in 16 bits'],
    ['r1 = *(u32 *)(w1 + 0)', "asm:1:15: expected a base register, found 'w1'"],
    ['mov r1, 2', "asm:1:1: unknown instruction 'mov'"],
    ['r1 = @', "asm:1:6: unexpected character '@'"],
    ['r1 = *(u64 *)(r1 + 0', "asm:1:21: expected ')' at end of line"],
    ['w1 = *(u64 *)(r2 + 0)', "asm:1:1: a 64-bit load takes an r register, found 'w1'"],
    ['if r1 > w2 goto +1', "asm:1:9: 'w2' and 'r1' differ in width"],
    ['if r1 > r2 goto +40000', 'asm:1:17: a jump offset 40000 does not fit in 16 bits'],
    ['r1 = be16 r2', "asm:1:11: byte swaps are in place: expected 'r1'"],
    ['call -3', "asm:1:6: helper ids are not negative; write 'call pc-N' for a bpf-to-bpf call"],
    ['r1 = atomic_fetch_add((u64 *)(r1 + 0), r2)', "asm:1:40: the fetched value returns in the operand: expected 'r1'"],
    ['r1 = cmpxchg_64(r1 + 0, r0, r2)', 'asm:1:1: cmpxchg returns in r0'],
    ['exit r0', "asm:1:6: unexpected 'r0'"],
    ['r2 = *(u8 *)skb[1]', "asm:1:1: packet loads return in r0, found 'r2'"],
    ['r1 = map[flows][1]+8 ll', "asm:1:17: expected '0' (a map value pointer is map[...][0]+OFFSET)"],
    ['r1 = 12x', "asm:1:6: bad number '12x'"],
  ];
  for (const [src, msg] of cases) {
    it(`${JSON.stringify(src)} -> ${msg}`, () => {
      let err: unknown;
      try {
        assemble(src);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SimError);
      expect((err as SimError).code).toBe('EFORMAT');
      expect((err as SimError).message).toContain(msg);
    });
  }

  it('names the source it was given', () => {
    expect(() => assemble('r0 = 0\nexit\n  bogus', { source: 'prog.s' })).toThrow("EFORMAT: prog.s:3:3: unknown instruction 'bogus'");
  });

  it('refuses a label beyond a 16-bit jump and suggests gotol', () => {
    const src = ['goto far', ...new Array(32768).fill('r0 = 0'), 'far: exit'].join('\n');
    expect(() => assemble(src)).toThrow(/asm:1:6: 'far' is 32768 instructions away.*use gotol/);
    expect(assemble(src.replace('goto far', 'gotol far'))[0].imm).toBe(32768);
  });
});
