// section-kind.ts: what the loader does with each ELF section (spec §1.1): code, BTF maps,
// legacy maps, global data, license, BTF, relocations, or ignorable debug/link noise.
// Allocated sections of no known kind are refused rather than silently dropped.
import { SimError } from '../../errors.js';
import {
  type ElfSection,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHT_LLVM_ADDRSIG,
  SHT_NOBITS,
  SHT_NULL,
  SHT_PROGBITS,
  SHT_REL,
  SHT_RELA,
  SHT_STRTAB,
  SHT_SYMTAB,
} from './elf-file.js';

export type SectionKind =
  | 'code'
  | 'btf_maps'
  | 'legacy_maps'
  | 'data'
  | 'rodata'
  | 'bss'
  | 'license'
  | 'version'
  | 'btf'
  | 'btf_ext'
  | 'reloc'
  | 'ignore';

const UNSUPPORTED_PREFIXES = ['.struct_ops', '.addr_space.', '.jumptables'];

export function sectionKind(s: ElfSection, file: string): SectionKind {
  const n = s.name;
  switch (s.type) {
    case SHT_NULL:
    case SHT_SYMTAB:
    case SHT_STRTAB:
    case SHT_LLVM_ADDRSIG:
      return 'ignore';
    case SHT_REL:
      return 'reloc';
    case SHT_RELA:
      if (s.flags & SHF_ALLOC) throw new SimError('EOPNOTSUPP', `${file}: section ${n}: RELA relocations are not used by BPF`);
      return 'ignore';
  }
  if (s.type === SHT_PROGBITS && s.flags & SHF_EXECINSTR) return 'code';
  if (n === '.BTF') return 'btf';
  if (n === '.BTF.ext') return 'btf_ext';
  if (n === '.maps') return 'btf_maps';
  // cilium/ebpf takes any `maps*` name; libbpf only `maps` (and refuses it since 1.0).
  if (n.startsWith('maps')) return 'legacy_maps';
  if (n === 'license') return 'license';
  if (n === 'version') return 'version';
  if (s.type === SHT_NOBITS && (n === '.bss' || n.startsWith('.bss.'))) return 'bss';
  if (s.type === SHT_PROGBITS && (n === '.data' || n.startsWith('.data.'))) return 'data';
  if (s.type === SHT_PROGBITS && (n === '.rodata' || n.startsWith('.rodata.'))) return 'rodata';
  for (const p of UNSUPPORTED_PREFIXES) {
    if (n.startsWith(p)) throw new SimError('EOPNOTSUPP', `${file}: section ${n}: not supported by a tc simulator`);
  }
  if (n.startsWith('.debug') || n.startsWith('.note') || n === '.comment') return 'ignore';
  if (s.flags & SHF_ALLOC && s.size > 0) {
    throw new SimError('EINVAL', `${file}: section ${n}: unknown section kind (type ${s.type}, flags 0x${s.flags.toString(16)})`);
  }
  return 'ignore';
}
