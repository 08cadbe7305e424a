// global-data.ts: `.data*`, `.rodata*` and `.bss*` sections become single-entry ARRAY maps
// whose one value is the section image (libbpf bpf_object__init_internal_map). `.rodata*` is
// read-only to programs; all are BPF_F_MMAPABLE, as libbpf 1.1 (the recorded truth) makes them.
import { BTF_KIND } from '../btf/kinds.js';
import type { Btf } from '../btf/types.js';
import { findByName } from '../btf/query.js';
import { BPF_F_MMAPABLE, BPF_F_RDONLY_PROG, BPF_MAP_TYPE, type MapSpec } from '../spec.js';
import { SimError } from '../../errors.js';
import { MAX_SLAB_BYTES } from '../maps/slab.js';
import type { ElfSection } from './elf-file.js';

export type DataKind = NonNullable<MapSpec['globalData']>;

export function globalDataMap(sec: ElfSection, kind: DataKind, btf: Btf | undefined, file = 'object'): MapSpec {
  // The section becomes one array value: over INT_MAX is E2BIG (array_map_alloc_check); past what
  // tcxsim allocates for a map, ENOMEM (a failed bpf_map_area_alloc). `.bss` has no file bytes,
  // so only this check stands between a corrupt header and a multi-gigabyte allocation.
  if (sec.size > 0x7fffffff) throw new SimError('E2BIG', `${file}: section ${sec.name}: ${sec.size} bytes is over INT_MAX for a global data map`);
  if (sec.size > MAX_SLAB_BYTES) throw new SimError('ENOMEM', `${file}: section ${sec.name}: ${sec.size} bytes is more than tcxsim allocates for one map`);
  // libbpf 1.1 bpf_object__init_internal_map sets MMAPABLE unconditionally (measured: a `.data`
  // holding only a static variable is created with flags 0x400); newer libbpf drops it when no
  // global variable lives in the section.
  const flags = (kind === 'rodata' ? BPF_F_RDONLY_PROG : 0) | BPF_F_MMAPABLE;
  const ds = btf ? findByName(btf, BTF_KIND.DATASEC, sec.name) : undefined;
  const btfValueTypeId = ds?.id ?? 0;
  const value = kind === 'bss' ? new Uint8Array(sec.size) : Uint8Array.from(sec.data);
  return {
    name: sec.name,
    type: BPF_MAP_TYPE.ARRAY,
    keySize: 4,
    valueSize: sec.size,
    maxEntries: 1,
    flags,
    pinning: 'none',
    contents: [{ key: new Uint8Array(4), value }],
    section: sec.name,
    globalData: kind,
    btfKeyTypeId: 0,
    btfValueTypeId,
  };
}
