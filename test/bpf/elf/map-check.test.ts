// map-check.test.ts: the per-type BPF_MAP_CREATE checks as the loader applies them, one row per
// kernel rule. Rows marked 6.18 were measured with `bpftool map create` on Linux 6.18 (the rest
// of the kernel's answers are in test/fixtures/maps/create.json, replayed by test/bpf/maps).
import { describe, expect, it } from 'vitest';
import { type MapAttrs, checkMapAttrs } from '../../../src/bpf/elf/map-check.js';
import { BPF_F_INNER_MAP, BPF_F_MMAPABLE, BPF_F_NO_COMMON_LRU, BPF_F_NO_PREALLOC, BPF_F_RDONLY, BPF_F_RDONLY_PROG, BPF_F_WRONLY, BPF_MAP_TYPE as T } from '../../../src/bpf/spec.js';

const base = { name: 'm', flags: 0 };
const inner = { type: T.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0 };
const BPF_F_PRESERVE_ELEMS = 1 << 11;
const KMALLOC_MAX_SIZE = 1 << 22;
const rows: [string, Omit<MapAttrs, 'name' | 'flags'> & { flags?: number }, string | null][] = [
  ['hash ok', { type: T.HASH, keySize: 4, valueSize: 8, maxEntries: 1 }, null],
  ['hash key 0', { type: T.HASH, keySize: 0, valueSize: 8, maxEntries: 1 }, 'EINVAL'],
  ['hash value 0', { type: T.HASH, keySize: 4, valueSize: 0, maxEntries: 1 }, 'EINVAL'],
  ['hash max 0', { type: T.HASH, keySize: 4, valueSize: 8, maxEntries: 0 }, 'EINVAL'],
  ['hash key 513 (create.json: no MAX_BPF_STACK key limit)', { type: T.HASH, keySize: 513, valueSize: 8, maxEntries: 1 }, null],
  ['hash key 1024 (6.18)', { type: T.HASH, keySize: 1024, valueSize: 8, maxEntries: 1 }, null],
  ['hash key + value just below 4 MiB - 48 (6.18)', { type: T.HASH, keySize: 4, valueSize: KMALLOC_MAX_SIZE - 48 - 5, maxEntries: 1 }, null],
  ['hash key + value 4 MiB - 48 (6.18)', { type: T.HASH, keySize: 4, valueSize: KMALLOC_MAX_SIZE - 48 - 4, maxEntries: 1 }, 'E2BIG'],
  ['hash map_extra', { type: T.HASH, keySize: 4, valueSize: 8, maxEntries: 1, mapExtra: 3 }, 'EINVAL'],
  ['hash PRESERVE_ELEMS (6.18)', { type: T.HASH, keySize: 4, valueSize: 8, maxEntries: 1, flags: BPF_F_PRESERVE_ELEMS }, 'EINVAL'],
  ['hash NO_COMMON_LRU', { type: T.HASH, keySize: 4, valueSize: 8, maxEntries: 1, flags: BPF_F_NO_COMMON_LRU }, 'EINVAL'],
  ['lru NO_PREALLOC', { type: T.LRU_HASH, keySize: 4, valueSize: 8, maxEntries: 1, flags: BPF_F_NO_PREALLOC }, 'ENOTSUPP'],
  ['percpu hash value 32K+1', { type: T.PERCPU_HASH, keySize: 4, valueSize: 32769, maxEntries: 1 }, 'E2BIG'],
  ['array key 8', { type: T.ARRAY, keySize: 8, valueSize: 8, maxEntries: 1 }, 'EINVAL'],
  ['array value 4 MiB + 1 (6.18)', { type: T.ARRAY, keySize: 4, valueSize: KMALLOC_MAX_SIZE + 1, maxEntries: 1 }, null],
  ['array PRESERVE_ELEMS (6.18)', { type: T.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, flags: BPF_F_PRESERVE_ELEMS }, 'EINVAL'],
  ['array mmapable', { type: T.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, flags: BPF_F_MMAPABLE }, null],
  ['percpu array mmapable', { type: T.PERCPU_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, flags: BPF_F_MMAPABLE }, 'EINVAL'],
  ['array NO_PREALLOC', { type: T.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, flags: BPF_F_NO_PREALLOC }, 'EINVAL'],
  ['array RDONLY|WRONLY', { type: T.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, flags: BPF_F_RDONLY | BPF_F_WRONLY }, 'EINVAL'],
  ['prog array value 8', { type: T.PROG_ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 }, 'EINVAL'],
  ['prog array RDONLY_PROG', { type: T.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, flags: BPF_F_RDONLY_PROG }, 'EINVAL'],
  ['prog array ok', { type: T.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 }, null],
  ['prog array mmapable (6.18)', { type: T.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, flags: BPF_F_MMAPABLE }, 'EINVAL'],
  ['prog array INNER_MAP (6.18)', { type: T.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, flags: BPF_F_INNER_MAP }, 'EINVAL'],
  ['cgroup array value 8 (6.18)', { type: T.CGROUP_ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 }, 'EINVAL'],
  ['cgroup array ok: not simulated, left to the simulator (6.18 accepts)', { type: T.CGROUP_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 }, null],
  ['devmap: not simulated, left to the simulator (6.18 accepts)', { type: T.DEVMAP, keySize: 4, valueSize: 4, maxEntries: 4 }, null],
  ['array of maps without inner', { type: T.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 4 }, 'EINVAL'],
  ['array of maps ok', { type: T.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 4, innerMap: inner }, null],
  ['array of maps inner prog_array (create.json)', { type: T.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 4, innerMap: { ...inner, type: T.PROG_ARRAY, valueSize: 4 } }, 'ENOTSUPP'],
  ['hash of maps value 8', { type: T.HASH_OF_MAPS, keySize: 4, valueSize: 8, maxEntries: 4, innerMap: inner }, 'EINVAL'],
  ['hash of maps without inner', { type: T.HASH_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 4 }, 'EINVAL'],
  ['perf event array max 0 (sized to CPUs)', { type: T.PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: 0 }, null],
  ['perf event array PRESERVE_ELEMS (6.18)', { type: T.PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, flags: BPF_F_PRESERVE_ELEMS }, null],
  ['perf event array mmapable (6.18)', { type: T.PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, flags: BPF_F_MMAPABLE }, 'EINVAL'],
  ['lpm without NO_PREALLOC', { type: T.LPM_TRIE, keySize: 8, valueSize: 4, maxEntries: 4 }, 'EINVAL'],
  ['lpm key 4', { type: T.LPM_TRIE, keySize: 4, valueSize: 4, maxEntries: 4, flags: BPF_F_NO_PREALLOC }, 'EINVAL'],
  ['lpm key 261', { type: T.LPM_TRIE, keySize: 261, valueSize: 4, maxEntries: 4, flags: BPF_F_NO_PREALLOC }, 'EINVAL'],
  ['lpm ok', { type: T.LPM_TRIE, keySize: 8, valueSize: 4, maxEntries: 4, flags: BPF_F_NO_PREALLOC }, null],
  ['lpm value 4194024 (6.18)', { type: T.LPM_TRIE, keySize: 8, valueSize: 4194024, maxEntries: 4, flags: BPF_F_NO_PREALLOC }, null],
  ['lpm value 4194025 (6.18)', { type: T.LPM_TRIE, keySize: 8, valueSize: 4194025, maxEntries: 4, flags: BPF_F_NO_PREALLOC }, 'EINVAL'],
  ['queue with key', { type: T.QUEUE, keySize: 4, valueSize: 4, maxEntries: 4 }, 'EINVAL'],
  ['stack ok', { type: T.STACK, keySize: 0, valueSize: 4, maxEntries: 4 }, null],
  ['ringbuf 5000', { type: T.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 5000 }, 'EINVAL'],
  ['ringbuf 8192', { type: T.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 8192 }, null],
  ['bloom with key', { type: T.BLOOM_FILTER, keySize: 4, valueSize: 4, maxEntries: 4 }, 'EINVAL'],
  ['bloom 16 hashes', { type: T.BLOOM_FILTER, keySize: 0, valueSize: 4, maxEntries: 4, mapExtra: 16 }, 'EINVAL'],
  ['bloom value 4 MiB + 1 (6.18)', { type: T.BLOOM_FILTER, keySize: 0, valueSize: KMALLOC_MAX_SIZE + 1, maxEntries: 4 }, 'E2BIG'],
  ['unspec', { type: T.UNSPEC, keySize: 4, valueSize: 4, maxEntries: 4 }, 'EINVAL'],
  ['type 200', { type: 200, keySize: 4, valueSize: 4, maxEntries: 4 }, 'EINVAL'],
];

describe('checkMapAttrs', () => {
  for (const [title, attrs, code] of rows) {
    it(title, () => {
      const run = () => checkMapAttrs({ ...base, ...attrs }, 'x.o: section .maps');
      if (code === null) expect(run).not.toThrow();
      else expect(run).toThrow(new RegExp(`^${code}: x\\.o: section \\.maps: map 'm'`));
    });
  }
});
