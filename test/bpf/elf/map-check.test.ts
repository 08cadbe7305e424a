// map-check.test.ts: the per-type BPF_MAP_CREATE checks, one row per kernel rule.
import { describe, expect, it } from 'vitest';
import { type MapAttrs, checkMapAttrs } from '../../../src/bpf/elf/map-check.js';
import { BPF_F_MMAPABLE, BPF_F_NO_COMMON_LRU, BPF_F_NO_PREALLOC, BPF_F_RDONLY, BPF_F_RDONLY_PROG, BPF_F_WRONLY, BPF_MAP_TYPE as T } from '../../../src/bpf/spec.js';

const base = { name: 'm', flags: 0 };
const rows: [string, Omit<MapAttrs, 'name' | 'flags'> & { flags?: number }, string | null][] = [
  ['hash ok', { type: T.HASH, keySize: 4, valueSize: 8, maxEntries: 1 }, null],
  ['hash key 0', { type: T.HASH, keySize: 0, valueSize: 8, maxEntries: 1 }, 'EINVAL'],
  ['hash value 0', { type: T.HASH, keySize: 4, valueSize: 0, maxEntries: 1 }, 'EINVAL'],
  ['hash max 0', { type: T.HASH, keySize: 4, valueSize: 8, maxEntries: 0 }, 'EINVAL'],
  ['hash key 513', { type: T.HASH, keySize: 513, valueSize: 8, maxEntries: 1 }, 'E2BIG'],
  ['hash NO_COMMON_LRU', { type: T.HASH, keySize: 4, valueSize: 8, maxEntries: 1, flags: BPF_F_NO_COMMON_LRU }, 'EINVAL'],
  ['lru NO_PREALLOC', { type: T.LRU_HASH, keySize: 4, valueSize: 8, maxEntries: 1, flags: BPF_F_NO_PREALLOC }, 'EOPNOTSUPP'],
  ['percpu hash value 32K+1', { type: T.PERCPU_HASH, keySize: 4, valueSize: 32769, maxEntries: 1 }, 'E2BIG'],
  ['array key 8', { type: T.ARRAY, keySize: 8, valueSize: 8, maxEntries: 1 }, 'EINVAL'],
  ['array mmapable', { type: T.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, flags: BPF_F_MMAPABLE }, null],
  ['percpu array mmapable', { type: T.PERCPU_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, flags: BPF_F_MMAPABLE }, 'EINVAL'],
  ['array NO_PREALLOC', { type: T.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, flags: BPF_F_NO_PREALLOC }, 'EINVAL'],
  ['array RDONLY|WRONLY', { type: T.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, flags: BPF_F_RDONLY | BPF_F_WRONLY }, 'EINVAL'],
  ['prog array value 8', { type: T.PROG_ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 }, 'EINVAL'],
  ['prog array RDONLY_PROG', { type: T.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, flags: BPF_F_RDONLY_PROG }, 'EINVAL'],
  ['prog array ok', { type: T.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 }, null],
  ['array of maps without inner', { type: T.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 4 }, 'EINVAL'],
  ['array of maps ok', { type: T.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 4, hasInnerMap: true }, null],
  ['hash of maps value 8', { type: T.HASH_OF_MAPS, keySize: 4, valueSize: 8, maxEntries: 4, hasInnerMap: true }, 'EINVAL'],
  ['perf event array max 0 (sized to CPUs)', { type: T.PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: 0 }, null],
  ['lpm without NO_PREALLOC', { type: T.LPM_TRIE, keySize: 8, valueSize: 4, maxEntries: 4 }, 'EINVAL'],
  ['lpm key 4', { type: T.LPM_TRIE, keySize: 4, valueSize: 4, maxEntries: 4, flags: BPF_F_NO_PREALLOC }, 'EINVAL'],
  ['lpm key 261', { type: T.LPM_TRIE, keySize: 261, valueSize: 4, maxEntries: 4, flags: BPF_F_NO_PREALLOC }, 'EINVAL'],
  ['lpm ok', { type: T.LPM_TRIE, keySize: 8, valueSize: 4, maxEntries: 4, flags: BPF_F_NO_PREALLOC }, null],
  ['queue with key', { type: T.QUEUE, keySize: 4, valueSize: 4, maxEntries: 4 }, 'EINVAL'],
  ['stack ok', { type: T.STACK, keySize: 0, valueSize: 4, maxEntries: 4 }, null],
  ['ringbuf 5000', { type: T.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 5000 }, 'EINVAL'],
  ['ringbuf 8192', { type: T.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 8192 }, null],
  ['bloom with key', { type: T.BLOOM_FILTER, keySize: 4, valueSize: 4, maxEntries: 4 }, 'EINVAL'],
  ['bloom 16 hashes', { type: T.BLOOM_FILTER, keySize: 0, valueSize: 4, maxEntries: 4, mapExtra: 16 }, 'EINVAL'],
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
