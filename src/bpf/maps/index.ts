// index.ts: the maps package: createMap, the live map classes and bpftool-shaped dump/load.
export { createMap, validateMapAttrs } from './create.js';
export { BpfMap, type MapAttrs, type MapEnv, type MapProgRef, type LookupKind, type BatchLookupResult, type BatchWriteResult } from './map.js';
export { ArrayMap } from './array.js';
export { HashMap } from './hash.js';
export { LpmTrieMap } from './lpm-trie.js';
export { FdArrayMap } from './fd-array.js';
export { PerfEventArrayMap, BPF_F_CURRENT_CPU, BPF_F_INDEX_MASK } from './perf-event-array.js';
export { QueueStackMap } from './queue-stack.js';
export { BloomFilterMap } from './bloom.js';
export { RingBufMap } from './ringbuf.js';
export { innerMapCompatible } from './meta.js';
export { dumpMap, formatDump, loadMap, type BpftoolEntry } from './dump.js';
export { jhash } from './jhash.js';
