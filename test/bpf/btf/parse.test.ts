// parse.test.ts: our BTF decoding against `bpftool btf dump file x.o -j` (recorded in
// test/fixtures/elf/btf-*.json), and the DATASEC fix-up against the ELF symbol table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixupDatasecs } from '../../../src/bpf/btf/datasec.js';
import { BTF_INT_SIGNED, BTF_KIND, btfKindName } from '../../../src/bpf/btf/kinds.js';
import { parseBtf } from '../../../src/bpf/btf/parse.js';
import { findByName, typeSize } from '../../../src/bpf/btf/query.js';
import type { BtfType } from '../../../src/bpf/btf/types.js';
import { parseElf } from '../../../src/bpf/elf/elf-file.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const FIX = join(ROOT, 'test/fixtures/elf');
const OBJECTS: Record<string, string> = {
  global_data: 'bpf/global_data.o',
  map_in_map: 'bpf/map_in_map.o',
  edge_core: 'test/fixtures/elf/edge_core.o',
  edge_ksym: 'test/fixtures/elf/edge_ksym.o',
};
const LINKAGE = ['static', 'global', 'extern'];

/** Our record in the shape bpftool prints. */
function asBpftool(t: BtfType): Record<string, unknown> {
  const base = { id: t.id, kind: btfKindName(t.kind), name: t.name || '(anon)' };
  switch (t.kind) {
    case BTF_KIND.INT:
      return { ...base, size: t.size, bits_offset: t.bitOffset, nr_bits: t.bits, encoding: t.encoding & BTF_INT_SIGNED ? 'SIGNED' : t.encoding & 2 ? 'CHAR' : t.encoding & 4 ? 'BOOL' : '(none)' };
    case BTF_KIND.PTR:
    case BTF_KIND.TYPEDEF:
    case BTF_KIND.VOLATILE:
    case BTF_KIND.CONST:
    case BTF_KIND.RESTRICT:
    case BTF_KIND.TYPE_TAG:
      return { ...base, type_id: t.type };
    case BTF_KIND.ARRAY:
      return { ...base, type_id: t.elemType, index_type_id: t.indexType, nr_elems: t.nelems };
    case BTF_KIND.STRUCT:
    case BTF_KIND.UNION:
      return {
        ...base, size: t.size, vlen: t.members.length,
        members: t.members.map((m) => ({ name: m.name || '(anon)', type_id: m.type, bits_offset: m.bitOffset, ...(m.bitfieldSize ? { bitfield_size: m.bitfieldSize } : {}) })),
      };
    case BTF_KIND.ENUM:
      return { ...base, encoding: t.signed ? 'SIGNED' : 'UNSIGNED', size: t.size, vlen: t.values.length, values: t.values.map((v) => ({ name: v.name, val: v.value })) };
    case BTF_KIND.FWD:
      return { ...base, fwd_kind: t.union ? 'union' : 'struct' };
    case BTF_KIND.FUNC:
      return { ...base, type_id: t.type, linkage: LINKAGE[t.linkage] };
    case BTF_KIND.FUNC_PROTO:
      return { ...base, ret_type_id: t.returnType, vlen: t.params.length, params: t.params.map((p) => ({ name: p.name || '(anon)', type_id: p.type })) };
    case BTF_KIND.VAR:
      return { ...base, type_id: t.type, linkage: LINKAGE[t.linkage] };
    case BTF_KIND.DATASEC:
      return { ...base, size: t.size, vlen: t.vars.length, vars: t.vars.map((v) => ({ type_id: v.type, offset: v.offset, size: v.size })) };
    case BTF_KIND.DECL_TAG:
      return { ...base, type_id: t.type, component_idx: t.componentIdx };
    default:
      return base;
  }
}

describe('BTF decoding matches bpftool', () => {
  for (const [name, path] of Object.entries(OBJECTS)) {
    it(name, () => {
      const elf = parseElf(readFileSync(join(ROOT, path)), path);
      const btf = parseBtf(elf.sections.find((s) => s.name === '.BTF')!.data, path);
      const want = JSON.parse(readFileSync(join(FIX, `btf-${name}.json`), 'utf8')).types as Record<string, unknown>[];
      expect(btf.types.length - 1).toBe(want.length);
      for (const w of want) expect(asBpftool(btf.types[w.id as number])).toEqual(w);
    });
  }
});

describe('DATASEC fix-up', () => {
  it('fills sizes and offsets from the ELF (clang leaves them 0)', () => {
    const path = join(ROOT, 'bpf/global_data.o');
    const elf = parseElf(readFileSync(path), path);
    const raw = parseBtf(elf.sections.find((s) => s.name === '.BTF')!.data, path);
    const data = findByName(raw, BTF_KIND.DATASEC, '.data')!;
    expect(data.size).toBe(0);
    const fixed = fixupDatasecs(raw, {
      sectionSize: (n) => elf.sections.find((s) => s.name === n)?.size,
      symbolOffset: (sec, v) => elf.symbols.find((y) => y.name === v && elf.sections[y.shndx]?.name === sec)?.value,
    }, path);
    const d = findByName(fixed, BTF_KIND.DATASEC, '.data')!;
    expect(d.size).toBe(12);
    expect(d.vars.map((v) => [fixed.types[v.type].name, v.offset, v.size])).toEqual([['seq', 0, 8], ['last_len', 8, 4]]);
    expect(typeSize(fixed, d.id, 'x')).toBe(12);
    // the input is left alone
    expect(findByName(raw, BTF_KIND.DATASEC, '.data')!.size).toBe(0);
  });
});
