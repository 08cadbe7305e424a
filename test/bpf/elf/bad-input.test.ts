// bad-input.test.ts: corrupted objects made in the test from good ones. Every failure is a
// SimError with the kernel's errno name (EFORMAT for unparsable bytes) and a message naming
// the file and section; a RangeError from a DataView never escapes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimError } from '../../../src/errors.js';
import { parseElf } from '../../../src/bpf/elf/elf-file.js';
import { loadObject, loadObjectFile } from '../../../src/bpf/elf/index.js';
import { globalDataMap } from '../../../src/bpf/elf/global-data.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const read = (rel: string): Uint8Array => new Uint8Array(readFileSync(join(ROOT, `${rel}.o`)));
const FILE = 'bad.o';

function failure(bytes: Uint8Array): SimError {
  try {
    loadObject(bytes, FILE);
  } catch (e) {
    if (e instanceof SimError) return e;
    throw new Error(`not a SimError: ${(e as Error).stack}`);
  }
  throw new Error('loaded without error');
}

function expectFail(bytes: Uint8Array, code: string, msg: RegExp): void {
  const e = failure(bytes);
  expect(e.code, e.message).toBe(code);
  expect(e.message).toMatch(/bad\.o/);
  expect(e.message).toMatch(msg);
}

/** Byte offsets inside a good object, found through our own parser. */
function layout(bytes: Uint8Array) {
  const elf = parseElf(bytes, 'good.o');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = Number(dv.getBigUint64(40, true));
  const sec = (name: string) => {
    const s = elf.sections.find((x) => x.name === name);
    if (!s) throw new Error(`no section ${name}`);
    return s;
  };
  const symtab = elf.sections.find((s) => s.type === 2)!;
  return {
    elf,
    dv,
    sec,
    shdr: (name: string) => shoff + sec(name).index * 64,
    sym: (name: string) => symtab.offset + elf.symbols.find((y) => y.name === name)!.index * 24,
    symIndex: (name: string) => elf.symbols.find((y) => y.name === name)!.index,
  };
}

const copy = (b: Uint8Array) => Uint8Array.from(b);

/** Offset of the BTF ARRAY record whose nelems is `n` and whose element is `int` (a __uint). */
function btfUintArray(bytes: Uint8Array, n: number, nth = 0): number {
  const L = layout(bytes);
  const btf = L.sec('.BTF');
  const hdrLen = L.dv.getUint32(btf.offset + 4, true);
  const start = btf.offset + hdrLen + L.dv.getUint32(btf.offset + 8, true);
  const end = start + L.dv.getUint32(btf.offset + 12, true);
  let seen = 0;
  for (let o = start; o + 24 <= end; o += 4) {
    if (L.dv.getUint32(o, true) === 0 && L.dv.getUint32(o + 4, true) === 0x03000000 && L.dv.getUint32(o + 20, true) === n) {
      if (seen++ === nth) return o + 20;
    }
  }
  throw new Error(`no __uint array of ${n}`);
}

describe('not a BPF ELF', () => {
  const good = read('bpf/flow_counter');
  it('empty and tiny files', () => {
    expectFail(new Uint8Array(0), 'EFORMAT', /not an ELF file/);
    expectFail(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46]), 'EFORMAT', /truncated: ELF header/);
  });
  it('bad magic', () => {
    const b = copy(good);
    b[1] = 0x58;
    expectFail(b, 'EFORMAT', /bad magic/);
  });
  it('32-bit, big-endian, wrong machine, not relocatable', () => {
    let b = copy(good);
    b[4] = 1;
    expectFail(b, 'EFORMAT', /ELFCLASS64/);
    b = copy(good);
    b[5] = 2;
    expectFail(b, 'EFORMAT', /big-endian/);
    b = copy(good);
    new DataView(b.buffer).setUint16(18, 62, true);
    expectFail(b, 'EFORMAT', /e_machine 62 is not EM_BPF/);
    b = copy(good);
    new DataView(b.buffer).setUint16(16, 2, true);
    expectFail(b, 'EFORMAT', /ET_REL/);
  });
  it('every truncation is EFORMAT', () => {
    for (const n of [1, 16, 63, 64, 100, 1000, good.length >> 1, good.length - 64, good.length - 1]) {
      const e = failure(good.subarray(0, n));
      expect(e.code, `${n} bytes: ${e.message}`).toBe('EFORMAT');
    }
  });
  it('section contents beyond the file', () => {
    const b = copy(good);
    const L = layout(b);
    L.dv.setUint32(L.shdr('tc') + 32, 0x100000, true);
    expectFail(b, 'EFORMAT', /contents of section/);
  });
  it('no symbol table', () => {
    const b = copy(good);
    const L = layout(b);
    const symtab = L.elf.sections.find((s) => s.type === 2)!;
    new DataView(b.buffer).setUint32(L.shdr(symtab.name) + 4, 1, true);
    expectFail(b, 'EFORMAT', /no symbol table/);
  });
  it('missing file is ENOENT', () => {
    expect(() => loadObjectFile('/nonexistent/x.o')).toThrow(/ENOENT: \/nonexistent\/x.o/);
  });
});

describe('random corruption never escapes as a non-SimError', () => {
  for (const rel of ['bpf/flow_counter', 'bpf/global_data', 'bpf/tail_dispatch', 'bpf/legacy_tail', 'test/fixtures/elf/edge_core']) {
    it(rel, () => {
      const good = read(rel);
      let seed = 0x2545f491;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 0x1000000;
      let errors = 0;
      for (let n = 0; n < 400; n++) {
        const b = copy(good);
        for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
        try {
          loadObject(b, FILE);
        } catch (e) {
          if (!(e instanceof SimError)) throw e;
          errors++;
        }
      }
      expect(errors).toBeGreaterThan(0);
    });
  }
});

describe('sections, symbols and relocations', () => {
  it('an allocated section of unknown kind', () => {
    const b = copy(read('bpf/flow_counter'));
    const L = layout(b);
    const shstr = L.elf.sections[new DataView(b.buffer).getUint16(62, true)];
    const nameOff = L.dv.getUint32(L.shdr('license'), true);
    b[shstr.offset + nameOff + 6] = 'X'.charCodeAt(0); // "license" -> "licensX"
    expectFail(b, 'EINVAL', /section licensX: unknown section kind/);
  });
  it('a relocation naming a symbol that does not exist', () => {
    const b = copy(read('bpf/flow_counter'));
    const L = layout(b);
    L.dv.setUint32(L.sec('.reltc').offset + 12, 9999, true);
    expectFail(b, 'ENOENT', /section tc: insn 42: relocation refers to symbol 9999/);
  });
  it('a relocation to an undefined (extern) symbol', () => {
    const b = copy(read('bpf/flow_counter'));
    const L = layout(b);
    L.dv.setUint16(L.sym('flows') + 6, 0, true);
    // libbpf order: the BTF DATASEC fix-up is first to miss the symbol.
    expectFail(b, 'ENOENT', /section \.BTF: BTF DATASEC '\.maps': no symbol for variable 'flows'/);
  });
  it('a call to an undefined function that is not a __ksym', () => {
    const b = copy(read('test/fixtures/elf/edge_ksym'));
    const L = layout(b);
    // Rename the kfunc in BTF only: the ELF symbol is then a plain unlinked extern.
    const btf = L.sec('.BTF');
    const text = Buffer.from(b.subarray(btf.offset, btf.offset + btf.size)).toString('latin1');
    b[btf.offset + text.indexOf('_kfunc_stub\0') + 10] = 'X'.charCodeAt(0);
    expectFail(b, 'ENOENT', /section tc: insn 0: unresolved extern 'bpf_skc_to_udp6_sock_kfunc_stub'/);
  });
  it('a relocation on an instruction that is neither lddw nor call', () => {
    const b = copy(read('bpf/flow_counter'));
    const L = layout(b);
    L.dv.setUint32(L.sec('.reltc').offset, 8, true);
    expectFail(b, 'EINVAL', /section tc: insn 1: relocation against 'flows' on opcode/);
  });
  it('a relocation outside its section', () => {
    const b = copy(read('bpf/flow_counter'));
    const L = layout(b);
    L.dv.setUint32(L.sec('.reltc').offset, 0x10000, true);
    expectFail(b, 'EINVAL', /section tc: relocation at byte 65536/);
  });
  it('a map relocation at an offset where no map starts', () => {
    const b = copy(read('bpf/flow_counter'));
    const L = layout(b);
    L.dv.setUint32(L.sym('flows') + 8, 8, true);
    // The symbol moved: the fixed-up DATASEC puts the 32-byte map past the section end.
    expectFail(b, 'EFORMAT', /section \.maps: map 'flows': \[8, 40\) lies outside the section \(32 bytes\)/);
  });
  it('a call into a data section', () => {
    const b = copy(read('bpf/global_data'));
    const L = layout(b);
    // .reltc entry 0 is the call to .text; point it at the .bss-resident pkt_count.
    L.dv.setUint32(L.sec('.reltc').offset + 12, L.symIndex('pkt_count'), true);
    expectFail(b, 'EINVAL', /insn 1: call to 'pkt_count', which is not in a code section/);
  });
});

describe('BTF', () => {
  it('bad magic', () => {
    const b = copy(read('bpf/flow_counter'));
    b[layout(b).sec('.BTF').offset] = 0;
    expectFail(b, 'EFORMAT', /section \.BTF: bad BTF magic/);
  });
  it('type section running past the end', () => {
    const b = copy(read('bpf/flow_counter'));
    const L = layout(b);
    L.dv.setUint32(L.sec('.BTF').offset + 12, 0x7fff0000, true);
    expectFail(b, 'EFORMAT', /section \.BTF: truncated: BTF type section/);
  });
  it('a type naming a type id that does not exist', () => {
    const b = copy(read('bpf/flow_counter'));
    const L = layout(b);
    const hdr = L.dv.getUint32(L.sec('.BTF').offset + 4, true);
    // type [1] of flow_counter is a PTR: point it far away.
    L.dv.setUint32(L.sec('.BTF').offset + hdr + 8, 100000, true);
    expectFail(b, 'EFORMAT', /type \[1\] PTR.*refers to type \[100000\]/);
  });
  it('unknown kind', () => {
    const b = copy(read('bpf/flow_counter'));
    const L = layout(b);
    const hdr = L.dv.getUint32(L.sec('.BTF').offset + 4, true);
    b[L.sec('.BTF').offset + hdr + 7] = 0x1f;
    expectFail(b, 'EFORMAT', /type \[1\]: unknown BTF kind 31/);
  });
  it('.BTF.ext with a zero record size', () => {
    const b = copy(read('bpf/flow_counter'));
    const L = layout(b);
    const ext = L.sec('.BTF.ext');
    const hdr = L.dv.getUint32(ext.offset + 4, true);
    const funcOff = L.dv.getUint32(ext.offset + 8, true);
    L.dv.setUint32(ext.offset + hdr + funcOff, 0, true);
    expectFail(b, 'EFORMAT', /section \.BTF\.ext: func_info: record size 0/);
  });
  it('.maps without BTF', () => {
    const b = copy(read('bpf/flow_counter'));
    const L = layout(b);
    const shstr = L.elf.sections[L.dv.getUint16(62, true)];
    const nameOff = L.dv.getUint32(L.shdr('.BTF'), true);
    b[shstr.offset + nameOff + 1] = 'X'.charCodeAt(0); // ".BTF" -> ".XTF", a non-alloc section we ignore
    expectFail(b, 'EINVAL', /section \.maps: BTF-defined maps need a \.BTF section/);
  });
});

describe('map definitions the kernel would reject', () => {
  it('BTF hash with max_entries 0', () => {
    const b = copy(read('bpf/flow_counter'));
    new DataView(b.buffer).setUint32(btfUintArray(b, 64), 0, true);
    expectFail(b, 'EINVAL', /section \.maps: map 'flows' \(hash\): needs key_size, value_size and max_entries > 0/);
  });
  it('BTF LPM trie without BPF_F_NO_PREALLOC', () => {
    const b = copy(read('bpf/lpm_policy'));
    // map_flags = BPF_F_NO_PREALLOC is __uint(map_flags, 1): the only int array of 1 after `type`.
    const L = layout(b);
    void L;
    let changed = false;
    for (let nth = 0; nth < 4 && !changed; nth++) {
      const t = copy(b);
      try {
        new DataView(t.buffer).setUint32(btfUintArray(t, 1, nth), 0, true);
      } catch {
        break;
      }
      const e = failure(t);
      if (/lpm_trie.*needs BPF_F_NO_PREALLOC/.test(e.message)) {
        expect(e.code).toBe('EINVAL');
        changed = true;
      }
    }
    expect(changed).toBe(true);
  });
  it('prog array static slot beyond max_entries', () => {
    const b = copy(read('bpf/tail_dispatch'));
    new DataView(b.buffer).setUint32(btfUintArray(b, 32), 4, true); // jmp_table max_entries 32 -> 4
    expectFail(b, 'E2BIG', /map 'jmp_table': slot 6 is beyond max_entries 4/);
  });
  it('prog array slot naming something that is not a program', () => {
    const b = copy(read('bpf/tail_dispatch'));
    const L = layout(b);
    L.dv.setUint32(L.sec('.rel.maps').offset + 12, L.symIndex('hits'), true);
    expectFail(b, 'EINVAL', /section \.rel\.maps: map 'jmp_table': slot 6: 'hits' is not an entry program/);
  });
  it('legacy prog array with value_size 8', () => {
    const b = copy(read('bpf/legacy_tail'));
    const L = layout(b);
    L.dv.setUint32(L.sec('maps').offset + L.elf.symbols[L.symIndex('legacy_jmp')].value + 8, 8, true);
    expectFail(b, 'EINVAL', /section maps: map 'legacy_jmp' \(prog_array\): value_size must be 4/);
  });
  it('legacy array with key_size 8', () => {
    const b = copy(read('bpf/legacy_tail'));
    const L = layout(b);
    L.dv.setUint32(L.sec('maps').offset + L.elf.symbols[L.symIndex('legacy_cnt')].value + 4, 8, true);
    expectFail(b, 'EINVAL', /map 'legacy_cnt' \(array\): needs key_size 4/);
  });
  it('legacy hash with zero key size', () => {
    const b = copy(read('test/fixtures/elf/edge_legacy'));
    const L = layout(b);
    L.dv.setUint32(L.sec('maps').offset + L.elf.symbols[L.symIndex('old_hash')].value + 4, 0, true);
    expectFail(b, 'EINVAL', /map 'old_hash' \(hash\): needs key_size/);
  });
  it('legacy hash with a 4 MiB key', () => {
    const b = copy(read('test/fixtures/elf/edge_legacy'));
    const L = layout(b);
    L.dv.setUint32(L.sec('maps').offset + L.elf.symbols[L.symIndex('old_hash')].value + 4, 1 << 22, true);
    expectFail(b, 'E2BIG', /map 'old_hash' \(hash\): key_size \+ value_size must be below 4194256/);
  });
  it('legacy hash with a 1 KiB key loads: Linux 6.18 has no MAX_BPF_STACK key limit (create.json "hash key 513")', () => {
    const b = copy(read('test/fixtures/elf/edge_legacy'));
    const L = layout(b);
    L.dv.setUint32(L.sec('maps').offset + L.elf.symbols[L.symIndex('old_hash')].value + 4, 1024, true);
    expect(loadObject(b, FILE).maps.get('old_hash')?.keySize).toBe(1024);
  });
  it('legacy map of unknown type', () => {
    const b = copy(read('test/fixtures/elf/edge_legacy'));
    const L = layout(b);
    L.dv.setUint32(L.sec('maps').offset + L.elf.symbols[L.symIndex('old_array')].value, 999, true);
    expectFail(b, 'EINVAL', /map 'old_array' \(type_999\): unknown map type/);
  });
  it('legacy map definition shorter than bpf_map_def', () => {
    const b = copy(read('test/fixtures/elf/edge_legacy'));
    const L = layout(b);
    L.dv.setUint32(L.sym('old_hash') + 16, 12, true);
    expectFail(b, 'EINVAL', /map 'old_hash': definition of 12 bytes/);
  });
});

// Found by fuzzing: a corrupt section header must not turn into a huge allocation.
describe('oversized global data', () => {
  it('refuses a .bss over INT_MAX with E2BIG naming the section', () => {
    const sec = { name: '.bss', size: 970662608920, data: new Uint8Array(0) } as unknown as Parameters<typeof globalDataMap>[0];
    expect(() => globalDataMap(sec, 'bss', undefined, 'x.o')).toThrow(/E2BIG: x\.o: section \.bss/);
  });
});
