// spec.ts: the inert descriptions the ELF loader produces (cilium/ebpf's ProgramSpec/MapSpec):
// immutable, no ids, no storage. Only the simulator turns a spec into a live program or map.
import type { Insn } from './insn.js';

/** enum bpf_map_type (include/uapi/linux/bpf.h). */
export const BPF_MAP_TYPE = {
  UNSPEC: 0,
  HASH: 1,
  ARRAY: 2,
  PROG_ARRAY: 3,
  PERF_EVENT_ARRAY: 4,
  PERCPU_HASH: 5,
  PERCPU_ARRAY: 6,
  STACK_TRACE: 7,
  CGROUP_ARRAY: 8,
  LRU_HASH: 9,
  LRU_PERCPU_HASH: 10,
  LPM_TRIE: 11,
  ARRAY_OF_MAPS: 12,
  HASH_OF_MAPS: 13,
  DEVMAP: 14,
  SOCKMAP: 15,
  CPUMAP: 16,
  XSKMAP: 17,
  SOCKHASH: 18,
  CGROUP_STORAGE: 19,
  REUSEPORT_SOCKARRAY: 20,
  PERCPU_CGROUP_STORAGE: 21,
  QUEUE: 22,
  STACK: 23,
  SK_STORAGE: 24,
  DEVMAP_HASH: 25,
  STRUCT_OPS: 26,
  RINGBUF: 27,
  INODE_STORAGE: 28,
  TASK_STORAGE: 29,
  BLOOM_FILTER: 30,
  USER_RINGBUF: 31,
  CGRP_STORAGE: 32,
  ARENA: 33,
} as const;

export function mapTypeName(type: number): string {
  for (const [k, v] of Object.entries(BPF_MAP_TYPE)) if (v === type) return k.toLowerCase();
  return `type_${type}`;
}

/** enum bpf_prog_type (the ones tcxsim knows by name). */
export const BPF_PROG_TYPE = {
  UNSPEC: 0,
  SOCKET_FILTER: 1,
  KPROBE: 2,
  SCHED_CLS: 3,
  SCHED_ACT: 4,
  TRACEPOINT: 5,
  XDP: 6,
} as const;

/** Map flags (BPF_F_* for map_create). */
export const BPF_F_NO_PREALLOC = 1 << 0;
export const BPF_F_NO_COMMON_LRU = 1 << 1;
export const BPF_F_NUMA_NODE = 1 << 2;
export const BPF_F_RDONLY = 1 << 3;
export const BPF_F_WRONLY = 1 << 4;
export const BPF_F_ZERO_SEED = 1 << 6;
export const BPF_F_RDONLY_PROG = 1 << 7;
export const BPF_F_WRONLY_PROG = 1 << 8;
export const BPF_F_MMAPABLE = 1 << 10;
export const BPF_F_INNER_MAP = 1 << 12;

/** Map update flags. */
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;
export const BPF_F_LOCK = 4;

/** libbpf pinning: LIBBPF_PIN_NONE / LIBBPF_PIN_BY_NAME (iproute2's PIN_GLOBAL_NS = 2 is by name too). */
export type Pinning = 'none' | 'by_name' | 'object_ns' | 'global_ns';

export interface MapSpec {
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly pinning: Pinning;
  /** For array/hash of maps: the inner map's template. */
  readonly innerMap?: MapSpec;
  /**
   * Initial contents: for global data the whole value (key 0); for `__array(values, ...)`
   * static init of prog arrays and map-in-maps, { key: index, value: { prog | map name } }.
   */
  readonly contents: readonly MapEntrySpec[];
  /** Where this map came from: `.maps`, `maps` (legacy), `.data`, `.rodata.str1.1`, ... */
  readonly section: string;
  /** For global data maps, which kind of section the value (the section's bytes) came from. */
  readonly globalData?: 'data' | 'rodata' | 'bss';
  /** BTF type ids of key and value when the object carries BTF (0 when absent). */
  readonly btfKeyTypeId?: number;
  readonly btfValueTypeId?: number;
  /** iproute2 struct bpf_elf_map: the `id` and `inner_id`/`inner_idx` fields. */
  readonly legacyId?: number;
  readonly legacyInnerId?: number;
  readonly legacyInnerIdx?: number;
  /** iproute2 struct bpf_elf_map `pinning` as written (values above 2 are custom pin paths). */
  readonly legacyPinning?: number;
  /** map_extra (bloom filter hash count), when the definition sets one. */
  readonly mapExtra?: number;
}

export type MapEntrySpec =
  | { readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly key: number; readonly prog: string }
  | { readonly key: number; readonly map: string };

/** How one instruction refers to something outside the program; resolved when loading. */
export type ProgramReloc =
  /** lddw of a map pointer (BPF_PSEUDO_MAP_FD) */
  | { readonly insn: number; readonly kind: 'map'; readonly map: string }
  /** lddw of a pointer into a map's value (global data), `offset` bytes in (BPF_PSEUDO_MAP_VALUE) */
  | { readonly insn: number; readonly kind: 'map_value'; readonly map: string; readonly offset: number }
  /**
   * lddw of a function address (BPF_PSEUDO_FUNC); `target` is the insn index within this program.
   * The insn already carries src_reg PSEUDO_FUNC and the kernel's relative imm (target - insn - 1).
   */
  | { readonly insn: number; readonly kind: 'func'; readonly target: number }
  /** a kfunc or ksym the simulator must supply; unresolved ones fail at load with this name */
  | { readonly insn: number; readonly kind: 'ksym'; readonly symbol: string };

export interface ProgramSpec {
  /** the FUNC symbol name */
  readonly name: string;
  /** the ELF section, e.g. `tc`, `tcx/ingress`, `classifier`, `2/1` */
  readonly section: string;
  readonly type: number;
  /** expected attach type name from the section (`tcx_ingress`, `tcx_egress`), if any */
  readonly attachType?: 'tcx_ingress' | 'tcx_egress';
  /**
   * Instructions: the program followed by every subprogram it calls (from `.text` or its own
   * section), with bpf-to-bpf call offsets already fixed; lddw slots that `relocs` names hold
   * zero immediates until loading (src_reg is already BPF_PSEUDO_MAP_FD / MAP_VALUE / FUNC).
   */
  readonly insns: readonly Insn[];
  readonly relocs: readonly ProgramReloc[];
  readonly license: string;
  /** Optional source line info from .BTF.ext, by instruction index. */
  readonly lineInfo?: ReadonlyMap<number, { file: string; line: number; col: number; text: string }>;
  /** Names of subprograms and the instruction each starts at (for traces and disassembly). */
  readonly funcs: readonly { readonly name: string; readonly insn: number }[];
  /** BTF decl tags on the program's FUNC (`__attribute__((btf_decl_tag("tail:cilium_calls/3")))`). */
  readonly tags?: readonly string[];
}

export interface ObjectSpec {
  readonly file: string;
  readonly license: string;
  readonly programs: ReadonlyMap<string, ProgramSpec>;
  readonly maps: ReadonlyMap<string, MapSpec>;
}
