// btf-maps.ts: BTF-defined maps in `.maps` (libbpf parse_btf_map_def): each global VAR of the
// `.maps` DATASEC is a struct whose members encode the attributes: `__uint(x, N)` is a pointer
// to an array of N, `__type(x, T)` a pointer to T, `__array(values, T)` a zero-length array of T*.
import { SimError } from '../../errors.js';
import { BTF_KIND, BTF_VAR_GLOBAL_ALLOCATED, btfKindName } from '../btf/kinds.js';
import { findByName, skipModifiers, typeSize } from '../btf/query.js';
import type { Btf, BtfOf, BtfStruct, BtfType } from '../btf/types.js';
import { BPF_MAP_TYPE, type Pinning } from '../spec.js';

/** The attributes of one map definition struct, before static initialisation. */
export interface BtfMapDef {
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly mapExtra: number;
  readonly numaNode: number;
  readonly pinning: Pinning;
  readonly btfKeyTypeId: number;
  readonly btfValueTypeId: number;
  /** `__array(values, ...)`: byte offset of the member inside the definition, and the inner def */
  readonly values?: { readonly offset: number; readonly inner?: BtfMapDef };
}

/** One `.maps` variable: its definition and where it lives in the section. */
export interface BtfMapVar {
  readonly def: BtfMapDef;
  readonly offset: number;
  readonly size: number;
}

const LIBBPF_PIN_NONE = 0;
const LIBBPF_PIN_BY_NAME = 1;
const PAGE_SIZE = 4096;

export function parseBtfMaps(btf: Btf, sectionSize: number, where: string): BtfMapVar[] {
  const sec = findByName(btf, BTF_KIND.DATASEC, '.maps');
  if (!sec) throw new SimError('EINVAL', `${where}: section .maps has no BTF DATASEC (build with -g)`);
  const out: BtfMapVar[] = [];
  for (const vs of sec.vars) {
    const v = btf.types[vs.type];
    if (v.kind !== BTF_KIND.VAR) continue;
    const at = `${where}: map '${v.name}'`;
    if (v.linkage !== BTF_VAR_GLOBAL_ALLOCATED) {
      throw new SimError('EOPNOTSUPP', `${at}: static (non-global) map definitions are not supported`);
    }
    if (vs.offset + vs.size > sectionSize) {
      throw new SimError('EFORMAT', `${at}: [${vs.offset}, ${vs.offset + vs.size}) lies outside the section (${sectionSize} bytes)`);
    }
    const def = skipModifiers(btf, v.type, at);
    if (def.kind !== BTF_KIND.STRUCT) throw new SimError('EINVAL', `${at}: definition is a ${btfKindName(def.kind)}, expected a struct`);
    out.push({ def: parseMapDef(btf, v.name, def, false, at), offset: vs.offset, size: vs.size });
  }
  return out;
}

function parseMapDef(btf: Btf, name: string, def: BtfStruct, inner: boolean, at: string): BtfMapDef {
  let type = 0;
  let keySize = 0;
  let valueSize = 0;
  let maxEntries = 0;
  let flags = 0;
  let mapExtra = 0;
  let numaNode = 0;
  let pinning: Pinning = 'none';
  let btfKeyTypeId = 0;
  let btfValueTypeId = 0;
  let values: BtfMapDef['values'];
  const sized = (what: string, have: number, want: number): number => {
    if (have !== 0 && have !== want) throw new SimError('EINVAL', `${at}: conflicting ${what} size ${have} != ${want}`);
    return want;
  };
  def.members.forEach((m, i) => {
    const mat = `${at}: member '${m.name}'`;
    switch (m.name) {
      case 'type':
        type = uintField(btf, m.type, mat);
        break;
      case 'max_entries':
        maxEntries = uintField(btf, m.type, mat);
        break;
      case 'map_flags':
        flags = uintField(btf, m.type, mat);
        break;
      case 'numa_node':
        numaNode = uintField(btf, m.type, mat);
        break;
      case 'map_extra':
        mapExtra = uintField(btf, m.type, mat);
        break;
      case 'key_size':
        keySize = sized('key', keySize, uintField(btf, m.type, mat));
        break;
      case 'value_size':
        valueSize = sized('value', valueSize, uintField(btf, m.type, mat));
        break;
      case 'key':
      case 'value': {
        const id = pointee(btf, m.type, mat);
        const size = typeSize(btf, id, mat);
        if (m.name === 'key') {
          keySize = sized('key', keySize, size);
          btfKeyTypeId = id;
        } else {
          valueSize = sized('value', valueSize, size);
          btfValueTypeId = id;
        }
        break;
      }
      case 'pinning': {
        const p = uintField(btf, m.type, mat);
        if (p !== LIBBPF_PIN_NONE && p !== LIBBPF_PIN_BY_NAME) throw new SimError('EINVAL', `${mat}: invalid pinning value ${p}`);
        pinning = p === LIBBPF_PIN_BY_NAME ? 'by_name' : 'none';
        break;
      }
      case 'values': {
        const mim = type === BPF_MAP_TYPE.ARRAY_OF_MAPS || type === BPF_MAP_TYPE.HASH_OF_MAPS;
        const progArray = type === BPF_MAP_TYPE.PROG_ARRAY;
        if (inner) throw new SimError('EOPNOTSUPP', `${at}: multi-level inner maps are not supported`);
        if (i !== def.members.length - 1) throw new SimError('EINVAL', `${at}: 'values' must be the last member`);
        if (!mim && !progArray) throw new SimError('EOPNOTSUPP', `${at}: 'values' needs a map-in-map or prog array type`);
        valueSize = sized('value', valueSize, 4);
        const arr = btf.types[m.type];
        if (arr.kind !== BTF_KIND.ARRAY || arr.nelems !== 0) throw new SimError('EINVAL', `${mat}: not a zero-sized array`);
        const ptr = skipModifiers(btf, arr.elemType, mat);
        if (ptr.kind !== BTF_KIND.PTR) throw new SimError('EINVAL', `${mat}: element is a ${btfKindName(ptr.kind)}, expected a pointer`);
        const target = skipModifiers(btf, ptr.type, mat);
        if (m.bitOffset % 8 !== 0) throw new SimError('EINVAL', `${mat}: not byte aligned`);
        if (progArray) {
          if (target.kind !== BTF_KIND.FUNC_PROTO) throw new SimError('EINVAL', `${mat}: prog-array value is a ${btfKindName(target.kind)}, expected a function prototype`);
          values = { offset: m.bitOffset / 8 };
        } else {
          if (target.kind !== BTF_KIND.STRUCT) throw new SimError('EINVAL', `${mat}: inner map definition is a ${btfKindName(target.kind)}, expected a struct`);
          values = { offset: m.bitOffset / 8, inner: parseMapDef(btf, `${name}.inner`, target, true, `${at}: inner map`) };
        }
        break;
      }
      default:
        throw new SimError('EOPNOTSUPP', `${at}: unknown map definition field '${m.name}'`);
    }
  });
  if (type === BPF_MAP_TYPE.RINGBUF) maxEntries = ringbufSize(maxEntries);
  return { name, type, keySize, valueSize, maxEntries, flags, mapExtra, numaNode, pinning, btfKeyTypeId, btfValueTypeId, values };
}

/** libbpf adjust_ringbuf_sz: round up to a power-of-2 multiple of the page size. */
function ringbufSize(n: number): number {
  if (n === 0) return 0;
  let sz = PAGE_SIZE;
  while (sz < n && sz < 2 ** 31) sz *= 2;
  return sz;
}

/** `__uint(name, N)` is `int (*name)[N]`; `__ulong(name, N)` is an enum with one value N. */
function uintField(btf: Btf, id: number, at: string): number {
  const t: BtfType = skipModifiers(btf, id, at);
  if ((t.kind === BTF_KIND.ENUM || t.kind === BTF_KIND.ENUM64) && t.values.length === 1) return t.values[0].value;
  if (t.kind !== BTF_KIND.PTR) throw new SimError('EINVAL', `${at}: expected __uint (a pointer), got ${btfKindName(t.kind)}`);
  const arr = btf.types[t.type];
  if (arr.kind !== BTF_KIND.ARRAY) throw new SimError('EINVAL', `${at}: expected __uint (pointer to array), got pointer to ${btfKindName(arr.kind)}`);
  return arr.nelems;
}

/** `__type(name, T)` is `T *name`: the id of T. */
function pointee(btf: Btf, id: number, at: string): number {
  const t = skipModifiers(btf, id, at);
  if (t.kind !== BTF_KIND.PTR) throw new SimError('EINVAL', `${at}: expected __type (a pointer), got ${btfKindName(t.kind)}`);
  return t.type;
}
