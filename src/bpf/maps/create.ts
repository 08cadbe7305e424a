// create.ts: createMap(attrs, env) — BPF_MAP_CREATE. Validates the attributes the way the
// kernel's map_create and each type's map_alloc_check do (same errno, checks in the same
// order where one attribute set breaks several rules) and returns the live map.
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
const MAX_BPF_STACK = 512;
const HTAB_ELEM_SIZE = 48;
const LPM_KEY_SIZE_MIN = 4 + 1;
const LPM_KEY_SIZE_MAX = 4 + 256;
const PAGE_SIZE = 4096;

function reject(code: ErrnoName, attrs: MapAttrs, why: string): never {
  const name = attrs.name ? `map ${attrs.name}` : 'map';
  throw new SimError(code, `${name} (${mapTypeName(attrs.type)}, key ${attrs.keySize}, value ${attrs.valueSize}, max_entries ${attrs.maxEntries}, flags 0x${attrs.flags.toString(16)}): ${why}`);
}

/** bpf_map_flags_access_ok: read-only and write-only for programs exclude each other. */
function accessOk(flags: number): boolean {
  return (flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) !== (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG);
}

function checkFlags(a: MapAttrs, mask: number): void {
  if (a.flags & ~mask) reject('EINVAL', a, `flags 0x${(a.flags & ~mask).toString(16)} are not valid for this map type`);
  if (!accessOk(a.flags)) reject('EINVAL', a, 'BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG exclude each other');
}

/** Validates like the kernel; throws SimError with its errno. Exported for the loader. */
export function validateMapAttrs(a: MapAttrs): void {
  const T = BPF_MAP_TYPE;
  if ((a.flags & (BPF_F_RDONLY | BPF_F_WRONLY)) === (BPF_F_RDONLY | BPF_F_WRONLY)) {
    reject('EINVAL', a, 'BPF_F_RDONLY and BPF_F_WRONLY exclude each other');
  }
  if ((a.mapExtra ?? 0) !== 0 && a.type !== T.BLOOM_FILTER) reject('EINVAL', a, 'map_extra is only for bloom filters');
  switch (a.type) {
    case T.ARRAY:
    case T.PERCPU_ARRAY:
    case T.PROG_ARRAY:
    case T.PERF_EVENT_ARRAY:
    case T.ARRAY_OF_MAPS: {
      const fd = a.type === T.PROG_ARRAY || a.type === T.PERF_EVENT_ARRAY || a.type === T.ARRAY_OF_MAPS;
      if (fd && a.valueSize !== 4) reject('EINVAL', a, 'value_size must be 4 (a file descriptor)');
      if (fd && a.flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) reject('EINVAL', a, 'program access flags are not allowed here');
      const percpu = a.type === T.PERCPU_ARRAY;
      if (a.maxEntries === 0) reject('EINVAL', a, 'max_entries must be > 0');
      if (a.keySize !== 4) reject('EINVAL', a, 'key_size must be 4');
      if (a.valueSize === 0) reject('EINVAL', a, 'value_size must be > 0');
      const mask = a.type === T.PERF_EVENT_ARRAY ? ARRAY_CREATE_FLAG_MASK : ARRAY_CREATE_FLAG_MASK & ~BPF_F_PRESERVE_ELEMS;
      checkFlags(a, mask);
      if (percpu && a.flags & (BPF_F_MMAPABLE | BPF_F_INNER_MAP)) reject('EINVAL', a, 'per-CPU arrays cannot be mmapable or inner maps');
      if (percpu && a.valueSize > PCPU_MIN_UNIT_SIZE) reject('E2BIG', a, `per-CPU value_size over ${PCPU_MIN_UNIT_SIZE}`);
      if (a.type === T.ARRAY_OF_MAPS) checkInnerTemplate(a.innerMap, `map ${a.name ?? ''}`);
      return;
    }
    case T.HASH:
    case T.PERCPU_HASH:
    case T.LRU_HASH:
    case T.LRU_PERCPU_HASH:
    case T.HASH_OF_MAPS: {
      const lru = a.type === T.LRU_HASH || a.type === T.LRU_PERCPU_HASH;
      const percpu = a.type === T.PERCPU_HASH || a.type === T.LRU_PERCPU_HASH;
      if (a.type === T.HASH_OF_MAPS && a.valueSize !== 4) reject('EINVAL', a, 'value_size must be 4 (a map file descriptor)');
      checkFlags(a, HTAB_CREATE_FLAG_MASK);
      if (!lru && a.flags & BPF_F_NO_COMMON_LRU) reject('EINVAL', a, 'BPF_F_NO_COMMON_LRU is only for LRU maps');
      if (lru && a.flags & BPF_F_NO_PREALLOC) reject('ENOTSUPP', a, 'LRU maps are always preallocated');
      if (a.maxEntries === 0 || a.keySize === 0 || a.valueSize === 0) reject('EINVAL', a, 'max_entries, key_size and value_size must be > 0');
      if (a.valueSize >= KMALLOC_MAX_SIZE - MAX_BPF_STACK - HTAB_ELEM_SIZE) reject('E2BIG', a, 'value_size too large');
      if (percpu && a.valueSize > PCPU_MIN_UNIT_SIZE) reject('E2BIG', a, `per-CPU value_size over ${PCPU_MIN_UNIT_SIZE}`);
      if (a.maxEntries > 2 ** 31) reject('E2BIG', a, 'max_entries over 2^31');
      if (a.type === T.HASH_OF_MAPS) checkInnerTemplate(a.innerMap, `map ${a.name ?? ''}`);
      return;
    }
    case T.LPM_TRIE:
      if (a.maxEntries === 0) reject('EINVAL', a, 'max_entries must be > 0');
      if (!(a.flags & BPF_F_NO_PREALLOC)) reject('EINVAL', a, 'an LPM trie needs BPF_F_NO_PREALLOC');
      checkFlags(a, LPM_CREATE_FLAG_MASK);
      if (a.keySize < LPM_KEY_SIZE_MIN || a.keySize > LPM_KEY_SIZE_MAX) reject('EINVAL', a, `key_size must be in [${LPM_KEY_SIZE_MIN}, ${LPM_KEY_SIZE_MAX}] (u32 prefixlen + data)`);
      if (a.valueSize < 1 || a.valueSize > KMALLOC_MAX_SIZE - 256 - 64) reject('EINVAL', a, 'value_size out of range');
      return;
    case T.QUEUE:
    case T.STACK:
      if (a.maxEntries === 0 || a.keySize !== 0 || a.valueSize === 0) reject('EINVAL', a, 'needs key_size 0, value_size > 0, max_entries > 0');
      checkFlags(a, QUEUE_STACK_CREATE_FLAG_MASK);
      if (a.valueSize > KMALLOC_MAX_SIZE) reject('E2BIG', a, 'value_size too large');
      return;
    case T.RINGBUF:
      checkFlags(a, RINGBUF_CREATE_FLAG_MASK);
      if (a.keySize !== 0 || a.valueSize !== 0) reject('EINVAL', a, 'a ring buffer has key_size 0 and value_size 0');
      if (a.maxEntries === 0 || (a.maxEntries & (a.maxEntries - 1)) !== 0 || a.maxEntries % PAGE_SIZE !== 0) {
        reject('EINVAL', a, 'max_entries (the ring size) must be a power of 2 and a multiple of the page size');
      }
      return;
    case T.BLOOM_FILTER:
      if (a.valueSize > KMALLOC_MAX_SIZE) reject('E2BIG', a, 'value_size too large');
      if (a.keySize !== 0 || a.valueSize === 0 || a.maxEntries === 0) reject('EINVAL', a, 'needs key_size 0, value_size > 0, max_entries > 0');
      checkFlags(a, BLOOM_CREATE_FLAG_MASK);
      if ((a.mapExtra ?? 0) & ~0xf) reject('EINVAL', a, 'map_extra (number of hash functions) must be at most 15');
      return;
    default:
      if (a.type > 0 && a.type <= BPF_MAP_TYPE.ARENA) reject('EOPNOTSUPP', a, 'this map type is not simulated');
      reject('EINVAL', a, `unknown map type ${a.type}`);
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
