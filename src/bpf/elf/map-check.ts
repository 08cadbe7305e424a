// map-check.ts: the map_create attribute checks the kernel makes per map type
// (kernel/bpf/{arraymap,hashtab,lpm_trie,queue_stack_maps,ringbuf,bloom_filter}.c
// *_alloc_check), with the same errno, so a spec the kernel would refuse never loads.
import { SimError } from '../../errors.js';
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

/** What is checked: the kernel's bpf_attr fields for BPF_MAP_CREATE. */
export interface MapAttrs {
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly mapExtra?: number;
  readonly hasInnerMap?: boolean;
}

const T = BPF_MAP_TYPE;
const MAX_BPF_STACK = 512;
/** KMALLOC_MAX_SIZE on x86-64 (1 << (PAGE_SHIFT + MAX_PAGE_ORDER) = 4 MiB). */
const KMALLOC_MAX_SIZE = 1 << 22;
const PCPU_MIN_UNIT_SIZE = 32 << 10;
const PAGE_SIZE = 4096;
/** struct bpf_lpm_trie_key_hdr is a u32 prefixlen; data is 1..256 bytes (LPM_DATA_SIZE_MAX). */
const LPM_KEY_SIZE_MIN = 4 + 1;
const LPM_KEY_SIZE_MAX = 4 + 256;
const BLOOM_MAX_NR_HASH = 15;

const F_ACCESS_MASK = BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;
const ARRAY_CREATE_FLAG_MASK = BPF_F_NUMA_NODE | BPF_F_MMAPABLE | F_ACCESS_MASK | BPF_F_INNER_MAP;
const HTAB_CREATE_FLAG_MASK = BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE | F_ACCESS_MASK | BPF_F_ZERO_SEED;
const LPM_CREATE_FLAG_MASK = BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | F_ACCESS_MASK;
const QUEUE_STACK_CREATE_FLAG_MASK = BPF_F_NUMA_NODE | F_ACCESS_MASK;
const BLOOM_CREATE_FLAG_MASK = BPF_F_NUMA_NODE | BPF_F_ZERO_SEED | F_ACCESS_MASK;

/** Throws SimError(EINVAL | E2BIG | EOPNOTSUPP) as BPF_MAP_CREATE would; `where` names file and section. */
export function checkMapAttrs(m: MapAttrs, where: string): void {
  const fail = (code: 'EINVAL' | 'E2BIG' | 'EOPNOTSUPP', why: string): never => {
    throw new SimError(code, `${where}: map '${m.name}' (${mapTypeName(m.type)}): ${why}`);
  };
  const sizes = `key_size ${m.keySize}, value_size ${m.valueSize}, max_entries ${m.maxEntries}`;
  // bpf_map_flags_access_ok: at most one of RDONLY/WRONLY and one of RDONLY_PROG/WRONLY_PROG.
  if ((m.flags & BPF_F_RDONLY && m.flags & BPF_F_WRONLY) || (m.flags & BPF_F_RDONLY_PROG && m.flags & BPF_F_WRONLY_PROG)) {
    fail('EINVAL', `conflicting access flags 0x${m.flags.toString(16)}`);
  }
  const flagsIn = (mask: number): void => {
    if (m.flags & ~mask) fail('EINVAL', `map_flags 0x${m.flags.toString(16)} not allowed for this type`);
  };
  switch (m.type) {
    case T.ARRAY:
    case T.PERCPU_ARRAY:
    case T.PROG_ARRAY:
    case T.PERF_EVENT_ARRAY:
    case T.CGROUP_ARRAY:
    case T.ARRAY_OF_MAPS: {
      const fd = m.type !== T.ARRAY && m.type !== T.PERCPU_ARRAY;
      if (fd) {
        // fd_array_map_alloc_check: only file descriptors are stored.
        if (m.valueSize !== 4) fail('EINVAL', `value_size must be 4 (a file descriptor), got ${m.valueSize}`);
        if (m.flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) fail('EINVAL', 'BPF_F_RDONLY_PROG/WRONLY_PROG not supported');
      }
      // array_map_alloc_check
      // PERF_EVENT_ARRAY with max_entries 0 is sized to the CPU count at creation (libbpf).
      const noEntries = m.maxEntries === 0 && m.type !== T.PERF_EVENT_ARRAY;
      if (noEntries || m.keySize !== 4 || m.valueSize === 0) fail('EINVAL', `needs key_size 4, value_size > 0, max_entries > 0 (${sizes})`);
      flagsIn(ARRAY_CREATE_FLAG_MASK);
      if (m.flags & BPF_F_MMAPABLE && m.type !== T.ARRAY) fail('EINVAL', 'BPF_F_MMAPABLE only for plain arrays');
      if (m.type === T.PERCPU_ARRAY && m.valueSize > PCPU_MIN_UNIT_SIZE) fail('E2BIG', `value_size ${m.valueSize} > ${PCPU_MIN_UNIT_SIZE}`);
      if (m.valueSize > KMALLOC_MAX_SIZE) fail('E2BIG', `value_size ${m.valueSize} too large`);
      if (m.type === T.ARRAY_OF_MAPS && !m.hasInnerMap) fail('EINVAL', 'map-in-map needs an inner map definition');
      return;
    }
    case T.HASH:
    case T.PERCPU_HASH:
    case T.LRU_HASH:
    case T.LRU_PERCPU_HASH:
    case T.HASH_OF_MAPS: {
      const lru = m.type === T.LRU_HASH || m.type === T.LRU_PERCPU_HASH;
      if (m.type === T.HASH_OF_MAPS) {
        if (m.valueSize !== 4) fail('EINVAL', `value_size must be 4 (a file descriptor), got ${m.valueSize}`);
        if (!m.hasInnerMap) fail('EINVAL', 'map-in-map needs an inner map definition');
      }
      // htab_map_alloc_check
      flagsIn(HTAB_CREATE_FLAG_MASK);
      if (!lru && m.flags & BPF_F_NO_COMMON_LRU) fail('EINVAL', 'BPF_F_NO_COMMON_LRU only for LRU maps');
      if (lru && m.flags & BPF_F_NO_PREALLOC) fail('EOPNOTSUPP', 'LRU maps are always preallocated (BPF_F_NO_PREALLOC)');
      if (m.maxEntries === 0 || m.keySize === 0 || m.valueSize === 0) fail('EINVAL', `needs key_size, value_size and max_entries > 0 (${sizes})`);
      if (m.keySize > MAX_BPF_STACK) fail('E2BIG', `key_size ${m.keySize} > ${MAX_BPF_STACK}`);
      if (m.valueSize >= KMALLOC_MAX_SIZE - MAX_BPF_STACK - 48) fail('E2BIG', `value_size ${m.valueSize} too large`);
      if ((m.type === T.PERCPU_HASH || m.type === T.LRU_PERCPU_HASH) && m.valueSize > PCPU_MIN_UNIT_SIZE) {
        fail('E2BIG', `value_size ${m.valueSize} > ${PCPU_MIN_UNIT_SIZE}`);
      }
      return;
    }
    case T.LPM_TRIE:
      // trie_alloc
      if (
        m.maxEntries === 0 ||
        !(m.flags & BPF_F_NO_PREALLOC) ||
        m.flags & ~LPM_CREATE_FLAG_MASK ||
        m.keySize < LPM_KEY_SIZE_MIN ||
        m.keySize > LPM_KEY_SIZE_MAX ||
        m.valueSize < 1 ||
        m.valueSize > KMALLOC_MAX_SIZE
      ) {
        fail('EINVAL', `needs BPF_F_NO_PREALLOC, key_size ${LPM_KEY_SIZE_MIN}..${LPM_KEY_SIZE_MAX}, value_size > 0, max_entries > 0 (${sizes}, flags 0x${m.flags.toString(16)})`);
      }
      return;
    case T.QUEUE:
    case T.STACK:
      // queue_stack_map_alloc_check
      if (m.maxEntries === 0 || m.keySize !== 0 || m.valueSize === 0) fail('EINVAL', `needs key_size 0, value_size > 0, max_entries > 0 (${sizes})`);
      flagsIn(QUEUE_STACK_CREATE_FLAG_MASK);
      if (m.valueSize > KMALLOC_MAX_SIZE) fail('E2BIG', `value_size ${m.valueSize} too large`);
      return;
    case T.RINGBUF:
      // ringbuf_map_alloc
      if (m.flags & ~BPF_F_NUMA_NODE) fail('EINVAL', `map_flags 0x${m.flags.toString(16)} not allowed`);
      if (m.keySize !== 0 || m.valueSize !== 0 || m.maxEntries < PAGE_SIZE || (m.maxEntries & (m.maxEntries - 1)) !== 0) {
        fail('EINVAL', `needs key_size 0, value_size 0 and a power-of-2 multiple of ${PAGE_SIZE} bytes (${sizes})`);
      }
      return;
    case T.BLOOM_FILTER:
      // bloom_map_alloc
      if (m.keySize !== 0 || m.valueSize === 0 || m.maxEntries === 0 || m.flags & ~BLOOM_CREATE_FLAG_MASK || ((m.mapExtra ?? 0) & 0xf) !== (m.mapExtra ?? 0)) {
        fail('EINVAL', `needs key_size 0, value_size > 0, max_entries > 0, map_extra <= ${BLOOM_MAX_NR_HASH} (${sizes})`);
      }
      return;
    default:
      if (m.type === T.UNSPEC || m.type > T.ARENA) fail('EINVAL', 'unknown map type');
      // Types a tc simulator does not model are left for the simulator to refuse.
      return;
  }
}
