// elf-file.ts: the raw ELF64 little-endian relocatable object of a BPF program: header,
// section headers, symbol table and SHT_REL relocations, with every offset bounds-checked.
// Knows nothing of maps or programs; rejects anything that is not an EM_BPF ELF64 LSB file.
import { SimError } from '../../errors.js';
import { ByteView } from './bytes.js';

export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;
export const ET_REL = 1;
export const EM_NONE = 0;
export const EM_BPF = 247;

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_LLVM_ADDRSIG = 0x6fff4c03;

export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;

export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;

export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;

export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;

export const STV_DEFAULT = 0;
export const STV_HIDDEN = 2;

/** BPF relocation types (llvm/BinaryFormat/ELFRelocs/BPF.def). */
export const R_BPF_NONE = 0;
export const R_BPF_64_64 = 1;
export const R_BPF_64_ABS64 = 2;
export const R_BPF_64_ABS32 = 3;
export const R_BPF_64_NODYLD32 = 4;
export const R_BPF_64_32 = 10;

const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const REL_SIZE = 16;

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly entsize: number;
  /** the section's bytes (empty for SHT_NOBITS) */
  readonly data: Uint8Array;
}

export interface ElfSymbol {
  readonly index: number;
  readonly name: string;
  readonly bind: number;
  readonly type: number;
  readonly visibility: number;
  readonly shndx: number;
  readonly value: number;
  readonly size: number;
}

export interface ElfReloc {
  /** byte offset inside the target section */
  readonly offset: number;
  readonly type: number;
  readonly sym: number;
}

export interface ElfFile {
  readonly file: string;
  readonly machine: number;
  readonly sections: readonly ElfSection[];
  /** the whole symbol table, index 0 included (the null symbol) */
  readonly symbols: readonly ElfSymbol[];
  /** SHT_REL sections by the index of the section they patch (sh_info) */
  readonly relocs: ReadonlyMap<number, { readonly section: ElfSection; readonly entries: readonly ElfReloc[] }>;
}

export function parseElf(bytes: Uint8Array, file: string): ElfFile {
  const v = new ByteView(bytes, file);
  if (bytes.length < 4 || v.u32(0) !== 0x464c457f) {
    throw new SimError('EFORMAT', `${file}: not an ELF file (bad magic)`);
  }
  v.check(0, EHDR_SIZE, 'ELF header');
  const cls = v.u8(4);
  if (cls !== ELFCLASS64) throw new SimError('EFORMAT', `${file}: ELF class ${cls} is not ELFCLASS64: not a BPF object`);
  const data = v.u8(5);
  if (data === ELFDATA2MSB) {
    throw new SimError('EFORMAT', `${file}: big-endian (bpfeb) objects are not supported: rebuild with -target bpfel`);
  }
  if (data !== ELFDATA2LSB) throw new SimError('EFORMAT', `${file}: unknown ELF data encoding ${data}`);
  const type = v.u16(16);
  const machine = v.u16(18);
  // cilium/ebpf also accepts EM_NONE, which old LLVM wrote for BPF.
  if (machine !== EM_BPF && machine !== EM_NONE) {
    throw new SimError('EFORMAT', `${file}: e_machine ${machine} is not EM_BPF (${EM_BPF}): not a BPF object`);
  }
  if (type !== ET_REL) throw new SimError('EFORMAT', `${file}: e_type ${type} is not ET_REL: not a BPF object file`);
  const shoff = v.u64(40, 'e_shoff');
  const shentsize = v.u16(58);
  let shnum = v.u16(60);
  let shstrndx = v.u16(62);
  if (shoff === 0) throw new SimError('EFORMAT', `${file}: no section header table`);
  if (shentsize !== SHDR_SIZE) throw new SimError('EFORMAT', `${file}: e_shentsize ${shentsize} is not ${SHDR_SIZE}`);
  if (shnum === 0) shnum = v.u64(shoff + 32, 'extended section count');
  if (shstrndx === SHN_XINDEX) shstrndx = v.u32(shoff + 40, 'extended shstrndx');
  v.check(shoff, shnum * SHDR_SIZE, 'section header table');
  if (shstrndx >= shnum) throw new SimError('EFORMAT', `${file}: e_shstrndx ${shstrndx} out of range (${shnum} sections)`);

  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * SHDR_SIZE;
    const what = `section header ${i}`;
    const sh = {
      index: i,
      nameOff: v.u32(o, what),
      type: v.u32(o + 4, what),
      flags: v.u64(o + 8, what),
      offset: v.u64(o + 24, what),
      size: v.u64(o + 32, what),
      link: v.u32(o + 40, what),
      info: v.u32(o + 44, what),
      entsize: v.u64(o + 56, what),
    };
    if (sh.type !== SHT_NOBITS && sh.type !== SHT_NULL) v.check(sh.offset, sh.size, `contents of section ${i}`);
    raw.push(sh);
  }
  const shstr = raw[shstrndx];
  const shstrView = v.slice(shstr.offset, shstr.size, 'section name table', `${file}: section name table`);
  const sections: ElfSection[] = raw.map((sh) => ({
    index: sh.index,
    name: sh.index === 0 ? '' : shstrView.cstring(sh.nameOff, `name of section ${sh.index}`),
    type: sh.type,
    flags: sh.flags,
    offset: sh.offset,
    size: sh.size,
    link: sh.link,
    info: sh.info,
    entsize: sh.entsize,
    data: sh.type === SHT_NOBITS || sh.type === SHT_NULL ? new Uint8Array(0) : bytes.subarray(sh.offset, sh.offset + sh.size),
  }));

  const symtabs = sections.filter((s) => s.type === SHT_SYMTAB);
  if (symtabs.length === 0) throw new SimError('EFORMAT', `${file}: no symbol table (stripped object?)`);
  if (symtabs.length > 1) throw new SimError('EFORMAT', `${file}: ${symtabs.length} symbol tables`);
  const symbols = parseSymbols(file, sections, symtabs[0]);

  const relocs = new Map<number, { section: ElfSection; entries: ElfReloc[] }>();
  for (const s of sections) {
    if (s.type !== SHT_REL) continue;
    relocs.set(s.info, { section: s, entries: parseRels(file, sections, s) });
  }
  return { file, machine, sections, symbols, relocs };
}

function parseSymbols(file: string, sections: readonly ElfSection[], symtab: ElfSection): ElfSymbol[] {
  const where = `${file}: section ${symtab.name}`;
  if (symtab.entsize !== SYM_SIZE) throw new SimError('EFORMAT', `${where}: sh_entsize ${symtab.entsize} is not ${SYM_SIZE}`);
  if (symtab.size % SYM_SIZE !== 0) throw new SimError('EFORMAT', `${where}: size ${symtab.size} is not a multiple of ${SYM_SIZE}`);
  const strtab = sections[symtab.link];
  if (!strtab || strtab.type !== SHT_STRTAB) {
    throw new SimError('EFORMAT', `${where}: sh_link ${symtab.link} is not a string table`);
  }
  const sv = new ByteView(symtab.data, where);
  const names = new ByteView(strtab.data, `${file}: section ${strtab.name}`);
  const out: ElfSymbol[] = [];
  for (let i = 0; i < symtab.size / SYM_SIZE; i++) {
    const o = i * SYM_SIZE;
    const what = `symbol ${i}`;
    const info = sv.u8(o + 4, what);
    const shndx = sv.u16(o + 6, what);
    if (shndx !== SHN_UNDEF && shndx < SHN_LORESERVE && shndx >= sections.length) {
      throw new SimError('EFORMAT', `${where}: symbol ${i} refers to section ${shndx}, which does not exist`);
    }
    out.push({
      index: i,
      name: names.cstring(sv.u32(o, what), `name of symbol ${i}`),
      bind: info >>> 4,
      type: info & 0xf,
      visibility: sv.u8(o + 5, what) & 0x3,
      shndx,
      value: sv.u64(o + 8, what),
      size: sv.u64(o + 16, what),
    });
  }
  return out;
}

/** A dangling symbol index is reported where the relocation is used, so that relocations of
 * debug sections we ignore cannot fail a load. */
function parseRels(file: string, sections: readonly ElfSection[], rel: ElfSection): ElfReloc[] {
  const where = `${file}: section ${rel.name}`;
  if (rel.entsize !== REL_SIZE) throw new SimError('EFORMAT', `${where}: sh_entsize ${rel.entsize} is not ${REL_SIZE}`);
  if (rel.size % REL_SIZE !== 0) throw new SimError('EFORMAT', `${where}: size ${rel.size} is not a multiple of ${REL_SIZE}`);
  if (rel.info >= sections.length) throw new SimError('EFORMAT', `${where}: sh_info ${rel.info} names no section`);
  const v = new ByteView(rel.data, where);
  const out: ElfReloc[] = [];
  for (let i = 0; i < rel.size / REL_SIZE; i++) {
    const o = i * REL_SIZE;
    const offset = v.u64(o, `relocation ${i}`);
    const type = v.u32(o + 8, `relocation ${i}`);
    const sym = v.u32(o + 12, `relocation ${i}`);
    out.push({ offset, type, sym });
  }
  return out;
}
