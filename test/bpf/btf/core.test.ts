// core.test.ts: CO-RE relocations resolved against the object's own BTF give exactly the
// constants clang already wrote (identity), for offsets, sizes, bitfields, enums and type sizes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coreLocalValue, patchCoreInsn } from '../../../src/bpf/btf/core.js';
import { parseBtfExt } from '../../../src/bpf/btf/ext.js';
import { BPF_CORE } from '../../../src/bpf/btf/kinds.js';
import { parseBtf } from '../../../src/bpf/btf/parse.js';
import { parseElf } from '../../../src/bpf/elf/elf-file.js';
import { loadObject } from '../../../src/bpf/elf/index.js';
import { decodeInsns } from '../../../src/bpf/insn.js';
import { opClass, BPF_LDX, BPF_ST, BPF_STX } from '../../../src/bpf/opcodes.js';

const FILE = join(import.meta.dirname, '..', '..', 'fixtures', 'elf', 'edge_core.o');

describe('CO-RE against local types', () => {
  const bytes = readFileSync(FILE);
  const elf = parseElf(bytes, 'edge_core.o');
  const sec = (n: string) => elf.sections.find((s) => s.name === n)!;
  const btf = parseBtf(sec('.BTF').data, 'btf');
  const ext = parseBtfExt(sec('.BTF.ext').data, btf, 'ext');
  const relos = ext.coreRelos.get('tc')!;
  const insns = decodeInsns(sec('tc').data);

  it('has the relocation kinds the source asks for', () => {
    const kinds = new Set(relos.map((r) => r.kind));
    for (const k of [BPF_CORE.FIELD_BYTE_OFFSET, BPF_CORE.FIELD_EXISTS, BPF_CORE.FIELD_BYTE_SIZE, BPF_CORE.FIELD_LSHIFT_U64, BPF_CORE.FIELD_RSHIFT_U64, BPF_CORE.TYPE_SIZE, BPF_CORE.ENUMVAL_VALUE, BPF_CORE.ENUMVAL_EXISTS]) {
      expect(kinds.has(k), `kind ${k}`).toBe(true);
    }
  });

  // clang sizes a bitfield's load up to the next member (8 bytes for `c`); libbpf's
  // bpf_core_calc_field_relo picks the smallest aligned load that covers it (4). We follow libbpf.
  const isBitfieldSize = (r: (typeof relos)[number]) => r.kind === BPF_CORE.FIELD_BYTE_SIZE && insns[r.insn].imm === 8;

  it('every computed value equals the constant clang emitted (bitfield load size: libbpf rule)', () => {
    for (const r of relos) {
      if (isBitfieldSize(r)) {
        expect(coreLocalValue(btf, r, 'tc')).toBe(4);
        continue;
      }
      const x = insns[r.insn];
      const cls = opClass(x.code);
      const emitted = cls === BPF_LDX || cls === BPF_ST || cls === BPF_STX ? x.off : x.imm;
      expect(coreLocalValue(btf, r, 'tc'), `insn ${r.insn} kind ${r.kind} access ${r.access}`).toBe(emitted);
    }
  });

  it('known values: cb[1] at 52, bitfield c shifts, struct bits is 16 bytes, BLUE = 42', () => {
    const vals = relos.map((r) => [r.kind, coreLocalValue(btf, r, 'tc')]);
    expect(vals).toContainEqual([BPF_CORE.FIELD_BYTE_OFFSET, 52]);
    expect(vals).toContainEqual([BPF_CORE.FIELD_LSHIFT_U64, 32]);
    expect(vals).toContainEqual([BPF_CORE.FIELD_RSHIFT_U64, 44]);
    expect(vals).toContainEqual([BPF_CORE.TYPE_SIZE, 16]);
    expect(vals).toContainEqual([BPF_CORE.ENUMVAL_VALUE, 42]);
  });

  it('patching is the identity and the loader keeps the decl tag', () => {
    const copy = insns.slice();
    for (const r of relos) if (!isBitfieldSize(r)) patchCoreInsn(copy, r.insn, coreLocalValue(btf, r, 'tc'), 'tc');
    expect(copy).toEqual(insns);
    const p = loadObject(bytes, 'edge_core.o').programs.get('core_prog')!;
    expect(p.tags).toEqual(['tail:cilium_calls/3']);
  });

  it('a bad access string is EINVAL naming the relocation', () => {
    const r = { ...relos[0], access: '0:99' };
    expect(() => coreLocalValue(btf, r, 'x.o: section tc')).toThrow(/EINVAL: x.o: section tc: CO-RE relocation/);
  });
});
