// create.ts: createMap(attrs, env) — BPF_MAP_CREATE. Validates the attributes the way the
// kernel's map_create and each type's map_alloc_check do (same errno, checks in the same
// order where one attribute set breaks several rules) and returns the live map. The one copy
// of these checks: the ELF loader calls validateMapAttrs too (bpf/elf/map-check.ts).
// Checked against the real kernel: test/fixtures/maps/create.json.
import { SimError, type ErrnoName } from '../../errors.js';
import {
  BPF_F_INNER_MAP,
  BPF_F_MMAPABLE,
  BPF_F_NO_COMMON_LRU,
  BPF_F_NO_PREALLOC,
  BPF_F_NUMA_NODE,
  BPF_F_RDONLY,
  BPF_F_RDONLY_PROG,
  BPF_F_WRONLY,
  BPF_F_WRONLY_PROG,
  BPF_F_ZERO_SEED,
  BPF_MAP_TYPE,
  mapTypeName,
} from '../spec.js';
import { ArrayMap } from './array.js';
import { BloomFilterMap } from './bloom.js';
import { FdArrayMap } from './fd-array.js';
import { HashMap } from './hash.js';
import { LpmTrieMap } from './lpm-trie.js';
import type { BpfMap, MapAttrs, MapEnv } from './map.js';
import { checkInnerTemplate } from './meta.js';
import { PerfEventArrayMap } from './perf-event-array.js';
import { QueueStackMap } from './queue-stack.js';
import { RingBufMap } from './ringbuf.js';

/** BPF_F_PRESERVE_ELEMS: perf event arrays keep entries when the map fd closes. */
export const BPF_F_PRESERVE_ELEMS = 1 << 11;

const ACCESS_MASK = BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;
const ARRAY_CREATE_FLAG_MASK = BPF_F_NUMA_NODE | BPF_F_MMAPABLE | ACCESS_MASK | BPF_F_INNER_MAP | BPF_F_PRESERVE_ELEMS;
const HTAB_CREATE_FLAG_MASK = BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE | ACCESS_MASK | BPF_F_ZERO_SEED;
const LPM_CREATE_FLAG_MASK = BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | ACCESS_MASK;
const QUEUE_STACK_CREATE_FLAG_MASK = BPF_F_NUMA_NODE | ACCESS_MASK;
const BLOOM_CREATE_FLAG_MASK = BPF_F_NUMA_NODE | BPF_F_ZERO_SEED | ACCESS_MASK;
const RINGBUF_CREATE_FLAG_MASK = BPF_F_NUMA_NODE;

/** include/linux/percpu.h PCPU_MIN_UNIT_SIZE: the largest per-CPU value. */
export const PCPU_MIN_UNIT_SIZE = 32768;
/** KMALLOC_MAX_SIZE on x86-64 (4 KiB pages, MAX_PAGE_ORDER 10). */
export const KMALLOC_MAX_SIZE = 1 << 22;
/** sizeof(struct htab_elem): htab_map_alloc_check wants key + value below KMALLOC_MAX_SIZE minus this. */
const HTAB_ELEM_SIZE = 48;
/** lpm_trie.c LPM_DATA_SIZE_MAX and sizeof(struct lpm_trie_node); value_size <= KMALLOC_MAX_SIZE - both (measured on 6.18: 4194024). */
const LPM_DATA_SIZE_MAX = 256;
const LPM_TRIE_NODE_SIZE = 24;
/** struct bpf_lpm_trie_key_hdr is a u32 prefixlen; data is 1..LPM_DATA_SIZE_MAX bytes. */
const LPM_KEY_SIZE_MIN = 4 + 1;
const LPM_KEY_SIZE_MAX = 4 + LPM_DATA_SIZE_MAX;
const BLOOM_MAX_NR_HASH = 15;
const PAGE_SIZE = 4096;

/** Who asks: the loader names file and section, and leaves types the simulator does not model to it. */
export interface ValidateOptions {
  /** Prefix for messages, e.g. `x.o: section .maps`. */
  readonly where?: string;
  /** 'refuse' (BPF_MAP_CREATE in the simulator): EOPNOTSUPP; 'accept' (the ELF loader): only the checks every type gets. */
  readonly unsimulated?: 'refuse' | 'accept';
}

/** Validates like the kernel; throws SimError with its errno. The ELF loader calls it too (bpf/elf/map-check.ts). */
/** value_size > INT_MAX is E2BIG in array_map_alloc_check. */
const INT_MAX = 0x7fffffff;

export function validateMapAttrs(a: MapAttrs, opts: ValidateOptions = {}): void {
  const T = BPF_MAP_TYPE;
  const what = `${opts.where ? `${opts.where}: ` : ''}map${a.name ? ` '${a.name}'` : ''} (${mapTypeName(a.type)})`;
  const reject = (code: ErrnoName, why: string): never => {
    throw new SimError(code, `${what}: ${why} (key_size ${a.keySize}, value_size ${a.valueSize}, max_entries ${a.maxEntries}, flags 0x${a.flags.toString(16)})`);
  };
  const checkFlags = (mask: number): void => {
    if (a.flags & ~mask) reject('EINVAL', `map_flags 0x${(a.flags & ~mask).toString(16)} not allowed for this type`);
    // bpf_map_flags_access_ok: read-only and write-only for programs exclude each other.
    if ((a.flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) === (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) {
      reject('EINVAL', 'BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG exclude each other');
    }
  };
  // map_create, before any per-type check: map_extra, then bpf_get_file_flag.
  if ((a.mapExtra ?? 0) !== 0 && a.type !== T.BLOOM_FILTER && a.type !== T.ARENA) reject('EINVAL', 'map_extra is only for bloom filters and arenas');
  if ((a.flags & (BPF_F_RDONLY | BPF_F_WRONLY)) === (BPF_F_RDONLY | BPF_F_WRONLY)) reject('EINVAL', 'BPF_F_RDONLY and BPF_F_WRONLY exclude each other');
  switch (a.type) {
    case T.ARRAY:
    case T.PERCPU_ARRAY:
    case T.PROG_ARRAY:
    case T.PERF_EVENT_ARRAY:
    case T.CGROUP_ARRAY:
    case T.ARRAY_OF_MAPS: {
      // fd_array_map_alloc_check: only file descriptors are stored.
      const fd = a.type !== T.ARRAY && a.type !== T.PERCPU_ARRAY;
      if (fd && a.valueSize !== 4) reject('EINVAL', 'value_size must be 4 (a file descriptor)');
      if (fd && a.flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) reject('EINVAL', 'BPF_F_RDONLY_PROG/WRONLY_PROG not supported');
      // array_map_alloc_check
      const percpu = a.type === T.PERCPU_ARRAY;
      if (a.maxEntries === 0 || a.keySize !== 4 || a.valueSize === 0) reject('EINVAL', 'needs key_size 4, value_size > 0, max_entries > 0');
      if (a.valueSize > INT_MAX) reject('E2BIG', 'value_size over INT_MAX');
      checkFlags(ARRAY_CREATE_FLAG_MASK);
      if (a.type !== T.ARRAY && a.flags & (BPF_F_MMAPABLE | BPF_F_INNER_MAP)) reject('EINVAL', 'BPF_F_MMAPABLE and BPF_F_INNER_MAP only for plain arrays');
      if (a.type !== T.PERF_EVENT_ARRAY && a.flags & BPF_F_PRESERVE_ELEMS) reject('EINVAL', 'BPF_F_PRESERVE_ELEMS only for perf event arrays');
      if (percpu && a.valueSize > PCPU_MIN_UNIT_SIZE) reject('E2BIG', `per-CPU value_size over ${PCPU_MIN_UNIT_SIZE}`);
      // array_of_map_alloc: bpf_map_meta_alloc(inner_map_fd)
      if (a.type === T.ARRAY_OF_MAPS) checkInnerTemplate(a.innerMap, what);
      return;
    }
    case T.HASH:
    case T.PERCPU_HASH:
    case T.LRU_HASH:
    case T.LRU_PERCPU_HASH:
    case T.HASH_OF_MAPS: {
      const lru = a.type === T.LRU_HASH || a.type === T.LRU_PERCPU_HASH;
      const percpu = a.type === T.PERCPU_HASH || a.type === T.LRU_PERCPU_HASH;
      // fd_htab_map_alloc_check
      if (a.type === T.HASH_OF_MAPS && a.valueSize !== 4) reject('EINVAL', 'value_size must be 4 (a file descriptor)');
      // htab_map_alloc_check
      checkFlags(HTAB_CREATE_FLAG_MASK);
      if (!lru && a.flags & BPF_F_NO_COMMON_LRU) reject('EINVAL', 'BPF_F_NO_COMMON_LRU only for LRU maps');
      if (lru && a.flags & BPF_F_NO_PREALLOC) reject('ENOTSUPP', 'LRU maps are always preallocated (BPF_F_NO_PREALLOC)');
      if (a.maxEntries === 0 || a.keySize === 0 || a.valueSize === 0) reject('EINVAL', 'needs key_size, value_size and max_entries > 0');
      if (a.keySize + a.valueSize >= KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE) reject('E2BIG', `key_size + value_size must be below ${KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE}`);
      if (percpu && a.valueSize > PCPU_MIN_UNIT_SIZE) reject('E2BIG', `per-CPU value_size over ${PCPU_MIN_UNIT_SIZE}`);
      // htab_of_map_alloc: bpf_map_meta_alloc(inner_map_fd) comes before htab_map_alloc.
      if (a.type === T.HASH_OF_MAPS) checkInnerTemplate(a.innerMap, what);
      // htab_map_alloc
      if (a.maxEntries > 2 ** 31) reject('E2BIG', 'max_entries over 2^31');
      return;
    }
    case T.LPM_TRIE:
      // trie_alloc
      if (a.maxEntries === 0) reject('EINVAL', 'needs max_entries > 0');
      if (!(a.flags & BPF_F_NO_PREALLOC)) reject('EINVAL', 'needs BPF_F_NO_PREALLOC');
      checkFlags(LPM_CREATE_FLAG_MASK);
      if (a.keySize < LPM_KEY_SIZE_MIN || a.keySize > LPM_KEY_SIZE_MAX) reject('EINVAL', `needs key_size ${LPM_KEY_SIZE_MIN}..${LPM_KEY_SIZE_MAX} (u32 prefixlen + data)`);
      if (a.valueSize < 1 || a.valueSize > KMALLOC_MAX_SIZE - LPM_DATA_SIZE_MAX - LPM_TRIE_NODE_SIZE) reject('EINVAL', 'value_size out of range');
      return;
    case T.QUEUE:
    case T.STACK:
      // queue_stack_map_alloc_check
      if (a.maxEntries === 0 || a.keySize !== 0 || a.valueSize === 0) reject('EINVAL', 'needs key_size 0, value_size > 0, max_entries > 0');
      checkFlags(QUEUE_STACK_CREATE_FLAG_MASK);
      if (a.valueSize > KMALLOC_MAX_SIZE) reject('E2BIG', 'value_size too large');
      return;
    case T.RINGBUF:
      // ringbuf_map_alloc
      checkFlags(RINGBUF_CREATE_FLAG_MASK);
      if (a.keySize !== 0 || a.valueSize !== 0) reject('EINVAL', 'a ring buffer has key_size 0 and value_size 0');
      if (a.maxEntries === 0 || (a.maxEntries & (a.maxEntries - 1)) !== 0 || a.maxEntries % PAGE_SIZE !== 0) {
        reject('EINVAL', `max_entries (the ring size) must be a power of 2 and a multiple of ${PAGE_SIZE}`);
      }
      return;
    case T.BLOOM_FILTER:
      // bloom_map_alloc_check, then bloom_map_alloc
      if (a.valueSize > KMALLOC_MAX_SIZE) reject('E2BIG', 'value_size too large');
      if (a.keySize !== 0 || a.valueSize === 0 || a.maxEntries === 0) reject('EINVAL', 'needs key_size 0, value_size > 0, max_entries > 0');
      checkFlags(BLOOM_CREATE_FLAG_MASK);
      if ((a.mapExtra ?? 0) & ~BLOOM_MAX_NR_HASH) reject('EINVAL', `map_extra (number of hash functions) must be at most ${BLOOM_MAX_NR_HASH}`);
      return;
    default:
      if (a.type <= T.UNSPEC || a.type > T.ARENA) reject('EINVAL', `unknown map type ${a.type}`);
      if (opts.unsimulated !== 'accept') reject('EOPNOTSUPP', 'this map type is not simulated');
  }
}

/** BPF_MAP_CREATE: a live map with a fresh id. */
export function createMap(attrs: MapAttrs, env: MapEnv): BpfMap {
  validateMapAttrs(attrs);
  const T = BPF_MAP_TYPE;
  switch (attrs.type) {
    case T.ARRAY:
    case T.PERCPU_ARRAY:
      return new ArrayMap(attrs, env);
    case T.HASH:
    case T.PERCPU_HASH:
    case T.LRU_HASH:
    case T.LRU_PERCPU_HASH:
      return new HashMap(attrs, env);
    case T.HASH_OF_MAPS:
      return new HashMap(attrs, env, { meta: attrs.innerMap!, mapById: env.mapById });
    case T.LPM_TRIE:
      return new LpmTrieMap(attrs, env);
    case T.PROG_ARRAY:
      return new FdArrayMap(attrs, env);
    case T.ARRAY_OF_MAPS:
      return new FdArrayMap(attrs, env, attrs.innerMap!);
    case T.PERF_EVENT_ARRAY:
      return new PerfEventArrayMap(attrs, env);
    case T.QUEUE:
    case T.STACK:
      return new QueueStackMap(attrs, env);
    case T.RINGBUF:
      return new RingBufMap(attrs, env);
    case T.BLOOM_FILTER:
      return new BloomFilterMap(attrs, env);
    default:
      throw new SimError('EOPNOTSUPP', `map type ${mapTypeName(attrs.type)} is not simulated`);
  }
}
