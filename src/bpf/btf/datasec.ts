// datasec.ts: fills in the DATASEC sizes and VAR offsets that clang leaves as zero, from the
// ELF section sizes and symbol values (libbpf btf_fixup_datasec, cilium/ebpf fixupDatasec).
// Returns a new Btf; the input is not touched. Already linked objects (size != 0) pass as is.
import { SimError } from '../../errors.js';
import { BTF_KIND } from './kinds.js';
import type { Btf, BtfType, BtfVarSecinfo } from './types.js';

/** Datasecs that exist only in BTF, backing `__kconfig` / `__ksym` externs. */
const EXTERN_DATASECS = new Set(['.kconfig', '.ksyms']);

export interface DatasecElfInfo {
  /** the size of the ELF section called `name`, or undefined when there is none */
  sectionSize(name: string): number | undefined;
  /** st_value of the OBJECT symbol `varName` defined in section `secName` */
  symbolOffset(secName: string, varName: string): number | undefined;
}

export function fixupDatasecs(btf: Btf, elf: DatasecElfInfo, where: string): Btf {
  let changed = false;
  const types: BtfType[] = btf.types.map((t) => {
    if (t.kind !== BTF_KIND.DATASEC || t.size !== 0 || EXTERN_DATASECS.has(t.name)) return t;
    const size = elf.sectionSize(t.name);
    if (size === undefined) {
      if (t.vars.length === 0) return t;
      throw new SimError('ENOENT', `${where}: BTF DATASEC '${t.name}' names no ELF section`);
    }
    const vars: BtfVarSecinfo[] = t.vars.map((s) => {
      const v = btf.types[s.type];
      if (v.kind !== BTF_KIND.VAR) return s;
      const off = elf.symbolOffset(t.name, v.name);
      if (off === undefined) {
        throw new SimError('ENOENT', `${where}: BTF DATASEC '${t.name}': no symbol for variable '${v.name}'`);
      }
      return { type: s.type, offset: off, size: s.size };
    });
    changed = true;
    return { ...t, size, vars };
  });
  return changed ? { types, strings: btf.strings } : btf;
}
