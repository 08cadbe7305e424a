// Program-side map operations: value pointers into real storage, slab bounds, per-CPU copies,
// stale pointers after delete, LRU eviction, queue/stack/bloom helpers, ring buffer, perf
// event array and map-in-map lookups.
import { describe, expect, it } from 'vitest';
import { BpfFault } from '../../../src/bpf/fault.js';
import { Memory, Region } from '../../../src/bpf/memory.js';
import { BPF_ANY, BPF_EXIST, BPF_F_INNER_MAP, BPF_F_NO_PREALLOC, BPF_F_RDONLY_PROG, BPF_MAP_TYPE as T, BPF_NOEXIST } from '../../../src/bpf/spec.js';
import {
  BPF_F_CURRENT_CPU,
  createMap,
  type BpfMap,
  type FdArrayMap,
  type MapEnv,
  type PerfEventArrayMap,
  type RingBufMap,
} from '../../../src/bpf/maps/index.js';

const u32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};
const u64 = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};
/** A stack-like scratch region holding `bytes` at offset 8. */
const reg = (bytes: Uint8Array) => {
  const b = new Uint8Array(64);
  b.set(bytes, 8);
  return new Region('stack', b, true);
};

function env(cpus = 1): MapEnv & { memory: Memory } {
  return { memory: new Memory(), cpus };
}

function readVal(m: BpfMap, off: number): number {
  const { region, offset } = m.memory.resolve(m.valueTag, off, 4, false);
  return region.view.getUint32(offset, true);
}

describe('array', () => {
  it('a lookup points into the storage the syscall side reads', () => {
    const e = env();
    const m = createMap({ type: T.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0 }, e);
    const off = m.progLookup(reg(u32(2)), 8, 0);
    expect(off).toBeGreaterThanOrEqual(0);
    const { region, offset } = e.memory.resolve(m.valueTag, off, 8, true);
    region.view.setUint32(offset, 42, true);
    expect(m.lookup(u32(2))).toEqual(u64(42));
    expect(m.progLookup(reg(u32(4)), 8, 0)).toBe(-1);
  });

  it('a value pointer cannot reach the next element', () => {
    const e = env();
    const m = createMap({ type: T.ARRAY, keySize: 4, valueSize: 5, maxEntries: 4, flags: 0 }, e);
    const off = m.progLookup(reg(u32(1)), 8, 0);
    expect(() => e.memory.resolve(m.valueTag, off + 4, 1, false)).not.toThrow();
    expect(() => e.memory.resolve(m.valueTag, off + 5, 1, false)).toThrow(BpfFault);
    expect(() => e.memory.resolve(m.valueTag, off + 2, 4, false)).toThrow(/5-byte/);
  });

  it('BPF_F_RDONLY_PROG makes the region read-only to programs', () => {
    const e = env();
    const m = createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: BPF_F_RDONLY_PROG }, e);
    const off = m.progLookup(reg(u32(0)), 8, 0);
    expect(() => e.memory.resolve(m.valueTag, off, 4, false)).not.toThrow();
    expect(() => e.memory.resolve(m.valueTag, off, 4, true)).toThrow(/read-only/);
    m.update(u32(0), u32(7)); // the syscall side still writes
    expect(m.lookup(u32(0))).toEqual(u32(7));
  });

  it('program update follows the kernel flags', () => {
    const m = createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 2, flags: 0 }, env());
    expect(m.progUpdate(reg(u32(1)), 8, reg(u32(9)), 8, BPF_ANY, 0)).toBe(0);
    expect(m.progUpdate(reg(u32(1)), 8, reg(u32(9)), 8, BPF_NOEXIST, 0)).toBe(-17);
    expect(m.progUpdate(reg(u32(2)), 8, reg(u32(9)), 8, BPF_ANY, 0)).toBe(-7);
    expect(m.progDelete(reg(u32(1)), 8)).toBe(-22);
    expect(m.lookup(u32(1))).toEqual(u32(9));
  });
});

describe('per-CPU maps', () => {
  it('the program sees its CPU copy; lookup_percpu reaches another one', () => {
    const e = env(4);
    const m = createMap({ type: T.PERCPU_ARRAY, keySize: 4, valueSize: 4, maxEntries: 2, flags: 0 }, e);
    const k = reg(u32(1));
    for (let cpu = 0; cpu < 4; cpu++) {
      const off = m.progLookup(k, 8, cpu);
      const { region, offset } = e.memory.resolve(m.valueTag, off, 4, true);
      region.view.setUint32(offset, 10 + cpu, true);
    }
    const v = new DataView(m.lookup(u32(1)).buffer);
    expect([0, 1, 2, 3].map((c) => v.getUint32(c * 8, true))).toEqual([10, 11, 12, 13]);
    expect(readVal(m, m.progLookupPercpu(k, 8, 2))).toBe(12);
    expect(m.progLookupPercpu(k, 8, 4)).toBe(-1);
    // one CPU's copy is its own element: no reaching the neighbour CPU
    expect(() => e.memory.resolve(m.valueTag, m.progLookup(k, 8, 0) + 4, 4, false)).toThrow(BpfFault);
  });

  it('a per-CPU hash update from a program writes only that CPU; new elements start zeroed elsewhere', () => {
    const m = createMap({ type: T.PERCPU_HASH, keySize: 4, valueSize: 4, maxEntries: 4, flags: 0 }, env(2));
    expect(m.progUpdate(reg(u32(5)), 8, reg(u32(77)), 8, BPF_ANY, 1)).toBe(0);
    const v = new DataView(m.lookup(u32(5)).buffer);
    expect([v.getUint32(0, true), v.getUint32(8, true)]).toEqual([0, 77]);
    expect(m.progUpdate(reg(u32(5)), 8, reg(u32(3)), 8, BPF_EXIST, 0)).toBe(0);
    const w = new DataView(m.lookup(u32(5)).buffer);
    expect([w.getUint32(0, true), w.getUint32(8, true)]).toEqual([3, 77]);
  });
});

describe('hash', () => {
  it('lookup/update/delete from a program', () => {
    const e = env();
    const m = createMap({ type: T.HASH, keySize: 4, valueSize: 8, maxEntries: 2, flags: 0 }, e);
    expect(m.progLookup(reg(u32(1)), 8, 0)).toBe(-1);
    expect(m.progUpdate(reg(u32(1)), 8, reg(u64(5)), 8, BPF_NOEXIST, 0)).toBe(0);
    expect(m.progUpdate(reg(u32(1)), 8, reg(u64(5)), 8, BPF_NOEXIST, 0)).toBe(-17);
    expect(m.progUpdate(reg(u32(2)), 8, reg(u64(6)), 8, BPF_EXIST, 0)).toBe(-2);
    expect(m.progUpdate(reg(u32(2)), 8, reg(u64(6)), 8, BPF_ANY, 0)).toBe(0);
    expect(m.progUpdate(reg(u32(3)), 8, reg(u64(6)), 8, BPF_ANY, 0)).toBe(-7);
    const off = m.progLookup(reg(u32(1)), 8, 0);
    expect(readVal(m, off)).toBe(5);
    expect(m.progDelete(reg(u32(1)), 8)).toBe(0);
    expect(m.progDelete(reg(u32(1)), 8)).toBe(-2);
  });

  it('a pointer held across delete and re-insert reads the stale value, never another key', () => {
    const e = env();
    const m = createMap({ type: T.HASH, keySize: 4, valueSize: 8, maxEntries: 1, flags: 0 }, e);
    m.progUpdate(reg(u32(1)), 8, reg(u64(111)), 8, BPF_ANY, 0);
    const stale = m.progLookup(reg(u32(1)), 8, 0);
    expect(m.progDelete(reg(u32(1)), 8)).toBe(0);
    expect(m.progUpdate(reg(u32(2)), 8, reg(u64(222)), 8, BPF_ANY, 0)).toBe(0);
    const fresh = m.progLookup(reg(u32(2)), 8, 0);
    expect(fresh).not.toBe(stale);
    expect(readVal(m, stale)).toBe(111);
    expect(readVal(m, fresh)).toBe(222);
    // a replace from a program also leaves the old pointer alone
    m.progUpdate(reg(u32(2)), 8, reg(u64(333)), 8, BPF_ANY, 0);
    expect(readVal(m, fresh)).toBe(222);
    expect(readVal(m, m.progLookup(reg(u32(2)), 8, 0))).toBe(333);
    // after the grace period the storage is reused instead of growing
    m.quiesce();
    const cap = (m as unknown as { slab: { capacity: number } }).slab.capacity;
    for (let i = 0; i < 10; i++) {
      m.progDelete(reg(u32(2)), 8);
      m.quiesce();
      m.progUpdate(reg(u32(2)), 8, reg(u64(i)), 8, BPF_ANY, 0);
    }
    expect((m as unknown as { slab: { capacity: number } }).slab.capacity).toBe(cap);
  });

  it('grows its slab without moving existing pointers', () => {
    const e = env();
    const m = createMap({ type: T.HASH, keySize: 4, valueSize: 8, maxEntries: 1000, flags: BPF_F_NO_PREALLOC }, e);
    m.progUpdate(reg(u32(0)), 8, reg(u64(99)), 8, BPF_ANY, 0);
    const p = m.progLookup(reg(u32(0)), 8, 0);
    for (let i = 1; i < 1000; i++) expect(m.progUpdate(reg(u32(i)), 8, reg(u64(i)), 8, BPF_ANY, 0)).toBe(0);
    expect(readVal(m, p)).toBe(99);
    expect(m.keys().length).toBe(1000);
    expect(readVal(m, m.progLookup(reg(u32(777)), 8, 0))).toBe(777);
  });

  it('a key taken from the map itself is safe to update with', () => {
    const e = env();
    const m = createMap({ type: T.HASH, keySize: 8, valueSize: 8, maxEntries: 4, flags: 0 }, e);
    m.update(u64(1), u64(1));
    const off = m.progLookup(reg(u64(1)), 8, 0);
    const r = e.memory.regions[m.valueTag];
    expect(m.progUpdate(r, off, reg(u64(5)), 8, BPF_ANY, 0)).toBe(0);
    expect(m.lookup(u64(1))).toEqual(u64(5));
  });
});

describe('lru_hash', () => {
  it('evicts the least recently used, sparing referenced elements', () => {
    const m = createMap({ type: T.LRU_HASH, keySize: 4, valueSize: 4, maxEntries: 4, flags: 0 }, env());
    for (let i = 0; i < 4; i++) m.update(u32(i), u32(i));
    m.progLookup(reg(u32(0)), 8, 0); // key 0 is referenced
    m.update(u32(10), u32(10));
    const keys = m.keys().map((k) => new DataView(k.buffer).getUint32(0, true)).sort((a, b) => a - b);
    expect(keys).toEqual([0, 2, 3, 10]);
    expect(() => m.lookup(u32(1))).toThrow(/ENOENT/);
    // a full LRU map never answers E2BIG
    expect(m.progUpdate(reg(u32(11)), 8, reg(u32(11)), 8, BPF_NOEXIST, 0)).toBe(0);
  });
});

describe('lpm_trie from a program', () => {
  it('longest prefix match points at the value', () => {
    const e = env();
    const m = createMap({ type: T.LPM_TRIE, keySize: 8, valueSize: 4, maxEntries: 8, flags: BPF_F_NO_PREALLOC }, e);
    const key = (plen: number, a: number[]) => Uint8Array.from([...u32(plen), ...a]);
    m.update(key(8, [10, 0, 0, 0]), u32(1));
    m.update(key(24, [10, 1, 2, 0]), u32(3));
    const at = (a: number[]) => m.progLookup(reg(key(32, a)), 8, 0);
    const val = (off: number) => e.memory.resolve(m.valueTag, off, 4, false).region.view.getUint32(off, true);
    expect(val(at([10, 1, 2, 9]))).toBe(3);
    expect(val(at([10, 9, 9, 9]))).toBe(1);
    expect(at([11, 0, 0, 0])).toBe(-1);
    expect(m.progUpdate(reg(key(16, [10, 1, 0, 0])), 8, reg(u32(2)), 8, BPF_ANY, 0)).toBe(0);
    expect(val(at([10, 1, 9, 9]))).toBe(2);
    expect(m.progDelete(reg(key(24, [10, 1, 2, 0])), 8)).toBe(0);
    expect(val(at([10, 1, 2, 9]))).toBe(2);
  });
});

describe('prog_array and map-in-map', () => {
  it('prog arrays hold program ids, check the owner type and serve tail calls', () => {
    const progs = new Map([[7, { id: 7, type: 3 }], [8, { id: 8, type: 6 }]]);
    const e: MapEnv = { memory: new Memory(), progById: (id) => progs.get(id) };
    const m = createMap({ type: T.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, flags: 0 }, e) as FdArrayMap;
    m.update(u32(1), u32(7));
    expect(m.progAt(1)).toBe(7);
    expect(m.progAt(0)).toBe(0);
    expect(m.progAt(9)).toBe(0);
    expect(() => m.update(u32(2), u32(8))).toThrow(/EINVAL/); // XDP program into a SCHED_CLS array
    expect(() => m.update(u32(2), u32(99))).toThrow(/EBADF/);
    expect(m.lookup(u32(1))).toEqual(u32(7));
  });

  it('array_of_maps and hash_of_maps lookups from a program give the inner map id', () => {
    const maps = new Map<number, BpfMap>();
    const e: MapEnv = { memory: new Memory(), mapById: (id) => maps.get(id) };
    const innerAttrs = { type: T.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0 };
    const a = createMap(innerAttrs, e);
    maps.set(a.id, a);
    const aom = createMap({ type: T.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 2, flags: 0, innerMap: innerAttrs }, e);
    const hom = createMap({ type: T.HASH_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 2, flags: 0, innerMap: innerAttrs }, e);
    expect(aom.lookupKind).toBe('map');
    expect(hom.lookupKind).toBe('map');
    aom.update(u32(1), u32(a.id));
    hom.update(u32(42), u32(a.id));
    expect(aom.progLookup(reg(u32(1)), 8, 0)).toBe(a.id);
    expect(aom.progLookup(reg(u32(0)), 8, 0)).toBe(-1);
    expect(hom.progLookup(reg(u32(42)), 8, 0)).toBe(a.id);
    expect(hom.progUpdate(reg(u32(1)), 8, reg(u32(a.id)), 8, 0, 0)).toBe(-22);
  });

  it('inner array max_entries may differ only with BPF_F_INNER_MAP', () => {
    const maps = new Map<number, BpfMap>();
    const e: MapEnv = { memory: new Memory(), mapById: (id) => maps.get(id) };
    const tmpl = { type: T.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, flags: BPF_F_INNER_MAP };
    const big = createMap({ ...tmpl, maxEntries: 64 }, e);
    maps.set(big.id, big);
    const aom = createMap({ type: T.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 2, flags: 0, innerMap: tmpl }, e);
    expect(() => aom.update(u32(0), u32(big.id))).not.toThrow();
  });
});

describe('queue, stack, bloom from a program', () => {
  it('push / pop / peek', () => {
    const q = createMap({ type: T.QUEUE, keySize: 0, valueSize: 4, maxEntries: 2, flags: 0 }, env());
    const s = createMap({ type: T.STACK, keySize: 0, valueSize: 4, maxEntries: 2, flags: 0 }, env());
    for (const m of [q, s]) {
      expect(m.progPush(reg(u32(1)), 8, BPF_ANY)).toBe(0);
      expect(m.progPush(reg(u32(2)), 8, BPF_ANY)).toBe(0);
      expect(m.progPush(reg(u32(3)), 8, BPF_ANY)).toBe(-7);
      expect(m.progPush(reg(u32(3)), 8, BPF_EXIST)).toBe(0);
    }
    const out = reg(new Uint8Array(4));
    expect(q.progPeek(out, 8)).toBe(0);
    expect(out.view.getUint32(8, true)).toBe(2);
    expect(s.progPop(out, 8)).toBe(0);
    expect(out.view.getUint32(8, true)).toBe(3);
    expect(s.progPop(out, 8)).toBe(0);
    expect(s.progPop(out, 8)).toBe(-2);
  });

  it('bloom filter has no false negatives', () => {
    const b = createMap({ type: T.BLOOM_FILTER, keySize: 0, valueSize: 4, maxEntries: 100, flags: 0 }, env());
    for (let i = 0; i < 100; i++) expect(b.progPush(reg(u32(i * 13)), 8, BPF_ANY)).toBe(0);
    for (let i = 0; i < 100; i++) expect(b.progPeek(reg(u32(i * 13)), 8)).toBe(0);
    let fp = 0;
    for (let i = 0; i < 1000; i++) if (b.progPeek(reg(u32(100000 + i)), 8) === 0) fp++;
    expect(fp).toBeLessThan(100);
  });
});

describe('ringbuf', () => {
  it('reserve, submit, discard, output and consume in order', () => {
    const e = env();
    const rb = createMap({ type: T.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096, flags: 0 }, e) as RingBufMap;
    const a = rb.reserve(5, 0);
    expect(a).toBeGreaterThan(0);
    const { region } = e.memory.resolve(rb.valueTag, a, 5, true);
    region.bytes.set([1, 2, 3, 4, 5], a);
    const b = rb.reserve(3, 0);
    expect(rb.output(Uint8Array.from([9, 9]), 0, 2, 0)).toBe(0);
    expect(rb.consume()).toEqual([]); // the first record is still busy
    rb.commit(b, true);
    rb.commit(a, false);
    expect(rb.consume()).toEqual([Uint8Array.from([1, 2, 3, 4, 5]), Uint8Array.from([9, 9])]);
    expect(rb.reserve(1, 1)).toBe(-1);
    expect(rb.output(Uint8Array.from([1]), 0, 1, 4)).toBe(-22);
  });

  it('refuses records when full and wraps after consumption', () => {
    const rb = createMap({ type: T.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096, flags: 0 }, env()) as RingBufMap;
    const big = new Uint8Array(1000).fill(7);
    let n = 0;
    while (rb.output(big, 0, 1000, 0) === 0) n++;
    expect(n).toBe(4);
    expect(rb.output(big, 0, 1000, 0)).toBe(-11);
    expect(rb.consume().length).toBe(4);
    for (let i = 0; i < 20; i++) {
      expect(rb.output(big, 0, 1000, 0)).toBe(0);
      expect(rb.consume()).toEqual([big]);
    }
  });
});

describe('perf_event_array', () => {
  it('keeps records per CPU', () => {
    const m = createMap({ type: T.PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, flags: 0 }, env(2)) as PerfEventArrayMap;
    expect(m.output(BPF_F_CURRENT_CPU, 1, Uint8Array.from([1]))).toBe(0);
    expect(m.output(0, 0, Uint8Array.from([2]))).toBe(0);
    expect(m.output(1, 0, Uint8Array.from([3]))).toBe(-95);
    expect(m.output(3, 0, Uint8Array.from([3]))).toBe(-2);
    expect(m.output(4, 0, Uint8Array.from([3]))).toBe(-7);
    expect(m.records[0]).toEqual([Uint8Array.from([2])]);
    expect(m.records[1]).toEqual([Uint8Array.from([1])]);
  });
});

// Found by fuzzing: oversized arrays fail like the kernel (E2BIG) or as a failed allocation
// (ENOMEM), never with a RangeError from a typed array.
describe('oversized maps', () => {
  it('array value_size over INT_MAX is E2BIG; storage over the 1 GiB cap is ENOMEM', () => {
    const env = { memory: new Memory() };
    expect(() => createMap({ name: 'hits', type: 2, keySize: 4, valueSize: 2717909000, maxEntries: 1, flags: 0 }, env)).toThrow(/E2BIG/);
    expect(() => createMap({ name: 'big', type: 2, keySize: 4, valueSize: 1 << 20, maxEntries: 4096, flags: 0 }, env)).toThrow(/ENOMEM/);
  });
});
