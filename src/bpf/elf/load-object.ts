// load-object.ts: loadObject(bytes, file) turns a clang-built BPF ELF object into an immutable
// ObjectSpec: programs (entry function + linked subprograms + relocations), maps (BTF `.maps`,
// legacy `maps`, global data) and the license. Bad input is a SimError naming file and section.
import { readFileSync } from 'node:fs';
import { SimError } from '../../errors.js';
import { patchCoreInsn, coreLocalValue } from '../btf/core.js';
import { fixupDatasecs } from '../btf/datasec.js';
import { type BtfExt, parseBtfExt } from '../btf/ext.js';
import { BTF_KIND } from '../btf/kinds.js';
import { parseBtf } from '../btf/parse.js';
import { declTags, findByName } from '../btf/query.js';
import type { Btf } from '../btf/types.js';
import {
  BPF_MAP_TYPE,
  BPF_PROG_TYPE,
  type MapEntrySpec,
  type MapSpec,
  type ObjectSpec,
  type Pinning,
  type ProgramSpec,
} from '../spec.js';
import { type BtfMapDef, type BtfMapVar, parseBtfMaps } from './btf-maps.js';
import { type CodeSection, type Func, classifyRelocs, readCodeSection } from './code.js';
import { type ElfFile, type ElfSection, STT_FILE, STT_FUNC, STT_SECTION, parseElf } from './elf-file.js';
import { globalDataMap } from './global-data.js';
import { type LegacyMapDef, parseLegacyMaps } from './legacy-maps.js';
import { linkProgram } from './link.js';
import { checkMapAttrs } from './map-check.js';
import { legacyTailSlot, progSectionType } from './prog-section.js';
import { type SectionKind, sectionKind } from './section-kind.js';
import { decodeCString } from './bytes.js';

export function loadObjectFile(path: string): ObjectSpec {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'ENOENT' : 'EIO';
    throw new SimError(code, `${path}: cannot read: ${(e as Error).message}`);
  }
  return loadObject(bytes, path);
}

export function loadObject(bytes: Uint8Array, file: string): ObjectSpec {
  const elf = parseElf(bytes, file);
  const kinds = new Map<number, SectionKind>();
  for (const s of elf.sections) kinds.set(s.index, sectionKind(s, file));
  const byKind = (k: SectionKind): ElfSection[] => elf.sections.filter((s) => kinds.get(s.index) === k);
  const where = (s: ElfSection): string => `${file}: section ${s.name}`;

  const { btf, ext } = loadBtf(elf, byKind('btf')[0], byKind('btf_ext')[0]);
  const licenseSec = byKind('license')[0];
  const license = licenseSec ? decodeCString(licenseSec.data) : '';

  // Maps, and where each one sits, so that code relocations can name them.
  const maps = new Map<string, MapSpec>();
  const mapsByOffset = new Map<number, Map<number, string>>();
  const addMap = (m: MapSpec, shndx: number, offset: number, at: string): void => {
    if (maps.has(m.name)) throw new SimError('EINVAL', `${at}: map '${m.name}' is defined twice`);
    maps.set(m.name, m);
    let at2 = mapsByOffset.get(shndx);
    if (!at2) mapsByOffset.set(shndx, (at2 = new Map()));
    at2.set(offset, m.name);
  };
  const btfMapsSec = byKind('btf_maps')[0];
  let btfMapVars: BtfMapVar[] = [];
  if (btfMapsSec) {
    if (!btf) throw new SimError('EINVAL', `${where(btfMapsSec)}: BTF-defined maps need a .BTF section (build with -g)`);
    btfMapVars = parseBtfMaps(btf, btfMapsSec.size, where(btfMapsSec));
    mapsByOffset.set(btfMapsSec.index, new Map());
  }
  const legacy: LegacyMapDef[] = [];
  for (const s of byKind('legacy_maps')) {
    mapsByOffset.set(s.index, new Map());
    for (const d of parseLegacyMaps(s, elf.symbols, where(s))) {
      legacy.push(d);
      addMap(legacyMapSpec(d, s.name), s.index, d.offset, where(s));
    }
  }
  const referenced = referencedSections(elf, kinds);
  const dataMaps = new Map<number, string>();
  for (const k of ['data', 'rodata', 'bss'] as const) {
    for (const s of byKind(k)) {
      const hasSyms = elf.symbols.some((y) => y.shndx === s.index && y.type !== STT_SECTION && y.type !== STT_FILE);
      // cilium/ebpf: a data section nobody names or references (e.g. `.rodata.str1.1`) is dropped.
      if (s.size === 0 || (!hasSyms && !referenced.has(s.index))) continue;
      addMap(globalDataMap(s, k, btf, file), s.index, 0, where(s));
      dataMaps.set(s.index, s.name);
    }
  }

  // Code: functions, CO-RE fix-ups, relocations.
  const code = new Map<number, CodeSection>();
  for (const s of byKind('code')) code.set(s.index, readCodeSection(elf, s));
  for (const cs of code.values()) {
    const at = where(cs.sec);
    for (const r of ext?.coreRelos.get(cs.sec.name) ?? []) {
      patchCoreInsn(cs.insns, r.insn, coreLocalValue(btf!, r, at), at);
    }
  }
  const externs = externNames(btf);
  // BTF maps are registered before classification so map relocations resolve; their
  // static contents need the program list and are filled in afterwards.
  const btfMapSpecs = new Map<BtfMapVar, MapSpec>();
  for (const v of btfMapVars) {
    const spec = btfMapSpec(v.def, '.maps', []);
    btfMapSpecs.set(v, spec);
    addMap(spec, btfMapsSec!.index, v.offset, where(btfMapsSec!));
  }
  for (const cs of code.values()) {
    classifyRelocs(elf, cs, {
      mapAt: (shndx, off) => {
        const m = mapsByOffset.get(shndx);
        return m ? (m.get(off) ?? null) : undefined;
      },
      dataMap: (shndx) => dataMaps.get(shndx),
      isCode: (shndx) => code.has(shndx),
      isExtern: (name) => externs.has(name),
    });
  }

  // Programs.
  const hasLegacy = legacy.length > 0;
  const programs = new Map<string, ProgramSpec>();
  const entries: Func[] = [];
  for (const cs of code.values()) for (const f of cs.funcs) if (f.entry) entries.push(f);
  for (const f of entries) {
    const at = where(f.section.sec);
    if (programs.has(f.name)) throw new SimError('EINVAL', `${at}: program '${f.name}' is defined twice`);
    const secName = f.section.sec.name;
    let st = progSectionType(secName);
    // Only iproute2 (tc) loads legacy `maps` objects, and it loads every section (`2/0`,
    // `egress`, `from-container`) as the tc program type.
    if (st.type === BPF_PROG_TYPE.UNSPEC && hasLegacy) st = { type: BPF_PROG_TYPE.SCHED_CLS };
    const linked = linkProgram(f, code, ext?.lineInfo ?? new Map(), file);
    const btfFunc = btf ? findByName(btf, BTF_KIND.FUNC, f.name) : undefined;
    const tags = btf && btfFunc ? declTags(btf, btfFunc.id) : [];
    const spec: ProgramSpec = {
      name: f.name,
      section: secName,
      type: st.type,
      ...(st.attachType === 'tcx_ingress' || st.attachType === 'tcx_egress' ? { attachType: st.attachType } : {}),
      insns: linked.insns,
      relocs: linked.relocs,
      license,
      lineInfo: linked.lineInfo,
      funcs: linked.funcs,
      tags: Object.freeze(tags),
    };
    programs.set(f.name, Object.freeze(spec));
  }

  // Static initial contents: `__array(values, ...)` through .rel.maps, and legacy `<id>/<slot>`.
  if (btfMapsSec) fillBtfMapValues(elf, btfMapsSec, btfMapVars, btfMapSpecs, maps, mapsByOffset, code, programs, file);
  if (hasLegacy) fillLegacy(legacy, maps, programs);

  for (const m of maps.values()) {
    const at = `${file}: section ${m.section}`;
    checkMapAttrs(m, at);
    if (m.innerMap) checkMapAttrs(m.innerMap, at);
    Object.freeze(m.contents);
    Object.freeze(m);
  }
  return Object.freeze({ file, license, programs, maps });
}

function loadBtf(elf: ElfFile, btfSec: ElfSection | undefined, extSec: ElfSection | undefined): { btf?: Btf; ext?: BtfExt } {
  if (!btfSec) return {};
  const raw = parseBtf(btfSec.data, `${elf.file}: section .BTF`);
  const btf = fixupDatasecs(
    raw,
    {
      sectionSize: (name) => elf.sections.find((s) => s.name === name && s.index !== 0)?.size,
      symbolOffset: (secName, varName) => {
        const sec = elf.sections.find((s) => s.name === secName);
        return elf.symbols.find((y) => y.shndx === sec?.index && y.name === varName && y.type !== STT_SECTION)?.value;
      },
    },
    `${elf.file}: section .BTF`,
  );
  const ext = extSec ? parseBtfExt(extSec.data, btf, `${elf.file}: section .BTF.ext`) : undefined;
  return { btf, ext };
}

/** Names declared in the `.ksyms` / `.kconfig` DATASECs (externs the simulator must supply). */
function externNames(btf: Btf | undefined): Set<string> {
  const out = new Set<string>();
  for (const t of btf?.types ?? []) {
    if (t.kind !== BTF_KIND.DATASEC || (t.name !== '.ksyms' && t.name !== '.kconfig')) continue;
    for (const v of t.vars) out.add(btf!.types[v.type].name);
  }
  return out;
}

/** Sections that some code relocation points into. */
function referencedSections(elf: ElfFile, kinds: ReadonlyMap<number, SectionKind>): Set<number> {
  const out = new Set<number>();
  for (const [target, rels] of elf.relocs) {
    if (kinds.get(target) !== 'code') continue;
    for (const r of rels.entries) {
      const s = elf.symbols[r.sym];
      if (s) out.add(s.shndx);
    }
  }
  return out;
}

function pinningOf(p: number): Pinning {
  // iproute2: PIN_NONE 0, PIN_OBJECT_NS 1, PIN_GLOBAL_NS 2; higher values are custom paths.
  return p === 1 ? 'object_ns' : p === 2 ? 'global_ns' : 'none';
}

function legacyMapSpec(d: LegacyMapDef, section: string): MapSpec {
  return {
    name: d.name,
    type: d.type,
    keySize: d.keySize,
    valueSize: d.valueSize,
    maxEntries: d.maxEntries,
    flags: d.flags,
    pinning: pinningOf(d.pinning),
    contents: [],
    section,
    legacyId: d.id,
    legacyPinning: d.pinning,
    legacyInnerId: d.innerId,
    legacyInnerIdx: d.innerIdx,
  };
}

function btfMapSpec(def: BtfMapDef, section: string, contents: MapEntrySpec[]): MapSpec {
  const inner = def.values?.inner;
  return {
    name: def.name,
    type: def.type,
    keySize: def.keySize,
    valueSize: def.valueSize,
    maxEntries: def.maxEntries,
    flags: def.flags,
    pinning: def.pinning,
    ...(inner ? { innerMap: Object.freeze(btfMapSpec(inner, section, [])) } : {}),
    contents,
    section,
    btfKeyTypeId: def.btfKeyTypeId,
    btfValueTypeId: def.btfValueTypeId,
    ...(def.mapExtra ? { mapExtra: def.mapExtra } : {}),
  };
}

/** `.rel.maps`: each R_BPF_64_ABS64 fills one slot of a `values` array (libbpf bpf_object__collect_map_relos). */
function fillBtfMapValues(
  elf: ElfFile,
  sec: ElfSection,
  vars: readonly BtfMapVar[],
  specs: ReadonlyMap<BtfMapVar, MapSpec>,
  maps: ReadonlyMap<string, MapSpec>,
  mapsByOffset: ReadonlyMap<number, ReadonlyMap<number, string>>,
  code: ReadonlyMap<number, CodeSection>,
  programs: ReadonlyMap<string, ProgramSpec>,
  file: string,
): void {
  const rels = elf.relocs.get(sec.index);
  if (!rels) return;
  const at = `${file}: section ${rels.section.name}`;
  for (const r of rels.entries) {
    const v = vars.find((x) => r.offset >= x.offset && r.offset < x.offset + x.size);
    if (!v) throw new SimError('EINVAL', `${at}: relocation at byte ${r.offset} of .maps is in no map definition`);
    const spec = specs.get(v)!;
    const mat = `${at}: map '${spec.name}'`;
    const sym = elf.symbols[r.sym];
    if (!sym || r.sym === 0) throw new SimError('ENOENT', `${mat}: relocation refers to symbol ${r.sym}, which does not exist`);
    const values = v.def.values;
    const rel = r.offset - v.offset - (values?.offset ?? 0);
    if (!values || rel < 0 || rel % 8 !== 0) {
      throw new SimError('EINVAL', `${mat}: relocation against '${sym.name}' at byte ${r.offset} is not a slot of its 'values' array`);
    }
    const key = rel / 8;
    let entry: MapEntrySpec;
    if (spec.type === BPF_MAP_TYPE.PROG_ARRAY) {
      const cs = code.get(sym.shndx);
      const prog = sym.type === STT_FUNC && cs ? programs.get(sym.name) : undefined;
      if (!prog || prog.section !== cs!.sec.name) {
        throw new SimError('EINVAL', `${mat}: slot ${key}: '${sym.name}' is not an entry program`);
      }
      entry = { key, prog: sym.name };
    } else {
      const target = mapsByOffset.get(sym.shndx)?.get(sym.value);
      if (!target || !maps.has(target) || sym.shndx !== sec.index) {
        throw new SimError('EINVAL', `${mat}: slot ${key}: '${sym.name}' is not a map defined in .maps`);
      }
      entry = { key, map: target };
    }
    const contents = spec.contents as MapEntrySpec[];
    if (spec.type !== BPF_MAP_TYPE.HASH_OF_MAPS && key >= spec.maxEntries) {
      throw new SimError('E2BIG', `${mat}: slot ${key} is beyond max_entries ${spec.maxEntries}`);
    }
    if (spec.type === BPF_MAP_TYPE.HASH_OF_MAPS && contents.length >= spec.maxEntries) {
      throw new SimError('E2BIG', `${mat}: more initial entries than max_entries ${spec.maxEntries}`);
    }
    contents.push(entry);
  }
}

/** iproute2: section `<id>/<slot>` goes into the prog array with that id; an inner map names its
 * outer map's `inner_id` as its own `id` and its slot as `inner_idx`. */
function fillLegacy(defs: readonly LegacyMapDef[], maps: Map<string, MapSpec>, programs: ReadonlyMap<string, ProgramSpec>): void {
  for (const p of programs.values()) {
    const ts = legacyTailSlot(p.section);
    if (!ts) continue;
    const arr = defs.find((d) => d.id === ts.id && d.type === BPF_MAP_TYPE.PROG_ARRAY);
    if (!arr) continue;
    const spec = maps.get(arr.name)!;
    if (ts.slot >= spec.maxEntries) {
      throw new SimError('E2BIG', `${spec.section}: program '${p.name}' in section ${p.section}: slot ${ts.slot} is beyond max_entries ${spec.maxEntries} of '${spec.name}'`);
    }
    (spec.contents as MapEntrySpec[]).push({ key: ts.slot, prog: p.name });
  }
  for (const d of defs) {
    if (d.type !== BPF_MAP_TYPE.ARRAY_OF_MAPS && d.type !== BPF_MAP_TYPE.HASH_OF_MAPS) continue;
    const inners = defs.filter((x) => x !== d && d.innerId !== 0 && x.id === d.innerId);
    if (inners.length === 0) continue;
    const outer = maps.get(d.name)!;
    maps.set(d.name, {
      ...outer,
      innerMap: Object.freeze({ ...maps.get(inners[0].name)!, contents: [] }),
      contents: inners.map((x) => ({ key: x.innerIdx, map: x.name })),
    });
  }
}
