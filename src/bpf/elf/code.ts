// code.ts: code sections cut into functions (one per FUNC symbol) and their relocations
// classified by the instruction they patch and the section of the target symbol (spec §1.4):
// map, global-data pointer, bpf-to-bpf call, function address, or kernel symbol.
import { SimError } from '../../errors.js';
import { type Insn, INSN_SIZE, decodeInsns } from '../insn.js';
import { BPF_CALL, BPF_JMP, BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL, isLddw } from '../opcodes.js';
import {
  type ElfFile,
  type ElfSection,
  type ElfSymbol,
  SHN_UNDEF,
  STB_LOCAL,
  STT_FUNC,
  STT_NOTYPE,
  STT_SECTION,
} from './elf-file.js';

export interface Func {
  readonly name: string;
  readonly section: CodeSection;
  /** instruction range [start, end) inside the section */
  readonly start: number;
  readonly end: number;
  /** global FUNC outside `.text`: an entry program */
  readonly entry: boolean;
  readonly symbol: ElfSymbol;
}

export interface CodeSection {
  readonly sec: ElfSection;
  /** decoded instructions; CO-RE fix-ups patch this copy before linking */
  readonly insns: Insn[];
  readonly funcs: Func[];
  /** classified relocations by instruction index within the section */
  readonly relocs: Map<number, CodeReloc>;
}

export type CodeReloc =
  | { readonly kind: 'map'; readonly map: string }
  | { readonly kind: 'map_value'; readonly map: string; readonly offset: number }
  | { readonly kind: 'call'; readonly section: number; readonly target: number }
  | { readonly kind: 'func'; readonly section: number; readonly target: number }
  | { readonly kind: 'ksym'; readonly symbol: string };

/** What a relocation target section holds; supplied by the loader once maps exist. */
export interface RelocTargets {
  /** the map defined at `offset` of BTF/legacy map section `shndx`, if that section holds maps */
  mapAt(shndx: number, offset: number): string | undefined | null;
  /** the global-data map made from section `shndx`, if it is a data section */
  dataMap(shndx: number): string | undefined;
  isCode(shndx: number): boolean;
  /** true when `name` is declared as a `__ksym`/`__kconfig` extern in BTF */
  isExtern(name: string): boolean;
}

export function readCodeSection(elf: ElfFile, sec: ElfSection): CodeSection {
  const where = `${elf.file}: section ${sec.name}`;
  if (sec.size % INSN_SIZE !== 0) throw new SimError('EFORMAT', `${where}: size ${sec.size} is not a multiple of ${INSN_SIZE}`);
  const insns = decodeInsns(sec.data, where);
  const cs: CodeSection = { sec, insns, funcs: [], relocs: new Map() };
  const syms = elf.symbols
    .filter((s) => s.shndx === sec.index && (s.type === STT_FUNC || (s.type === STT_NOTYPE && s.bind !== STB_LOCAL)))
    .sort((a, b) => a.value - b.value);
  syms.forEach((s, i) => {
    if (s.value % INSN_SIZE !== 0) throw new SimError('EFORMAT', `${where}: function '${s.name}' starts at byte ${s.value}, not on an instruction`);
    const start = s.value / INSN_SIZE;
    // Old clang wrote NOTYPE globals without a size: run to the next symbol or the end.
    const next = i + 1 < syms.length ? syms[i + 1].value / INSN_SIZE : insns.length;
    const end = s.size > 0 ? start + Math.ceil(s.size / INSN_SIZE) : next;
    if (end > insns.length || start >= end) {
      throw new SimError('EFORMAT', `${where}: function '${s.name}' [${start}, ${end}) does not fit the section's ${insns.length} instructions`);
    }
    const entry = sec.name !== '.text' && s.bind !== STB_LOCAL;
    cs.funcs.push({ name: s.name, section: cs, start, end, entry, symbol: s });
  });
  if (cs.funcs.length === 0 && insns.length > 0) {
    throw new SimError('EINVAL', `${where}: ${insns.length} instructions but no function symbol`);
  }
  return cs;
}

export function funcAt(cs: CodeSection, insn: number): Func | undefined {
  for (const f of cs.funcs) if (insn >= f.start && insn < f.end) return f;
  return undefined;
}

/** Classifies every relocation of a code section (libbpf bpf_program__record_reloc). */
export function classifyRelocs(elf: ElfFile, cs: CodeSection, targets: RelocTargets): void {
  const rels = elf.relocs.get(cs.sec.index);
  if (!rels) return;
  const where = `${elf.file}: section ${cs.sec.name}`;
  for (const r of rels.entries) {
    if (r.offset % INSN_SIZE !== 0 || r.offset >= cs.sec.size) {
      throw new SimError('EINVAL', `${where}: relocation at byte ${r.offset} is not on an instruction of the section`);
    }
    const i = r.offset / INSN_SIZE;
    const at = `${where}: insn ${i}`;
    const sym = elf.symbols[r.sym];
    if (!sym || r.sym === 0) throw new SimError('ENOENT', `${at}: relocation refers to symbol ${r.sym}, which does not exist`);
    const insn = cs.insns[i];
    const call = insn.code === (BPF_JMP | BPF_CALL);
    if (!call && !isLddw(insn.code)) {
      throw new SimError('EINVAL', `${at}: relocation against '${sym.name}' on opcode 0x${insn.code.toString(16)} (neither lddw nor call)`);
    }
    if (sym.shndx === SHN_UNDEF) {
      if (targets.isExtern(sym.name) && (isLddw(insn.code) || insn.src === BPF_PSEUDO_CALL || insn.src === BPF_PSEUDO_KFUNC_CALL)) {
        cs.relocs.set(i, { kind: 'ksym', symbol: sym.name });
        continue;
      }
      throw new SimError('ENOENT', `${at}: unresolved extern '${sym.name}' (link the object with bpftool gen object, or declare it __ksym)`);
    }
    if (call) {
      if (insn.src !== BPF_PSEUDO_CALL) throw new SimError('EINVAL', `${at}: call relocation against '${sym.name}' is not a bpf-to-bpf call (src_reg ${insn.src})`);
      if (!targets.isCode(sym.shndx)) {
        throw new SimError('EINVAL', `${at}: call to '${sym.name}', which is not in a code section`);
      }
      if (sym.value % INSN_SIZE !== 0) throw new SimError('EINVAL', `${at}: call target '${sym.name}' is not instruction aligned`);
      // libbpf: sub_insn_idx = sym_off / 8 + imm + 1 (global callee: imm -1; static: imm = index - 1)
      cs.relocs.set(i, { kind: 'call', section: sym.shndx, target: sym.value / INSN_SIZE + insn.imm + 1 });
      continue;
    }
    // lddw: by the target's section.
    if (targets.isCode(sym.shndx)) {
      // function address (callbacks): a FUNC symbol, or the section symbol plus a byte offset in imm.
      const byteOff = sym.type === STT_SECTION ? sym.value + insn.imm : sym.value;
      if (byteOff % INSN_SIZE !== 0) throw new SimError('EINVAL', `${at}: function address of '${sym.name}' is not instruction aligned`);
      cs.relocs.set(i, { kind: 'func', section: sym.shndx, target: byteOff / INSN_SIZE });
      continue;
    }
    const data = targets.dataMap(sym.shndx);
    if (data !== undefined) {
      // STT_SECTION: clang already put the offset into imm; a variable symbol adds its own value.
      const offset = insn.imm + (sym.type === STT_SECTION ? 0 : sym.value);
      cs.relocs.set(i, { kind: 'map_value', map: data, offset });
      continue;
    }
    const off = sym.type === STT_SECTION ? insn.imm : sym.value;
    const map = targets.mapAt(sym.shndx, off);
    if (map === null) throw new SimError('EINVAL', `${at}: relocation against '${sym.name}' at offset ${off} of a maps section, where no map is defined`);
    if (map !== undefined) {
      cs.relocs.set(i, { kind: 'map', map });
      continue;
    }
    const secName = elf.sections[sym.shndx]?.name ?? `#${sym.shndx}`;
    throw new SimError('EINVAL', `${at}: relocation against '${sym.name}' in section ${secName}, which holds neither maps, data nor code`);
  }
}
