// maps.test.ts: the map helpers as programs see them (src/bpf/helpers/maps.ts): value pointers
// and NULL, update flags and their errno, delete, queue/stack push/pop/peek, per-CPU lookups and
// map-in-maps. Expected values follow the kernel's map ops; the errno sequence of hash_flags and
// queue_stack is the one recorded in test/fixtures/kernel/map_ops.json.
import { describe, expect, it } from 'vitest';
import { TAG_MAP_PTR } from '../../../src/bpf/memory.js';
import { BPF_MAP_TYPE } from '../../../src/bpf/spec.js';
import { Bench, frame, save, u32le, u64le } from '../trace/harness.js';

const EEXIST = -17n;
const ENOENT = -2n;
const E2BIG = -7n;
const EINVAL = -22n;

/** r1 = map, r2 = &key (key u32 at fp-24), r3 = &val (u32 at fp-32), r4 = flags; call; save. */
function update(map: string, key: number, val: number, flags: number | string, slot: number): string {
  return `
    *(u32 *)(r10 - 24) = ${key}
    *(u32 *)(r10 - 32) = ${val}
    r1 = map[${map}] ll
    r2 = r10
    r2 += -24
    r3 = r10
    r3 += -32
    r4 = ${flags}
    call bpf_map_update_elem
    ${save(slot)}`;
}

function del(map: string, key: number, slot: number): string {
  return `
    *(u32 *)(r10 - 24) = ${key}
    r1 = map[${map}] ll
    r2 = r10
    r2 += -24
    call bpf_map_delete_elem
    ${save(slot)}`;
}

describe('bpf_map_update_elem / delete_elem', () => {
  it('hash: NOEXIST, EXIST, ANY, full map and bad flags give the kernel errno (map_ops.json hash_flags)', () => {
    const b = new Bench();
    b.map('small_hash', { type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 4, maxEntries: 2 });
    const p = b.prog(
      'hash_flags',
      [
        update('small_hash', 6, 59, 1, 0), // NOEXIST: new
        update('small_hash', 6, 59, 1, 1), // NOEXIST: exists
        update('small_hash', 6, 1059, 2, 2), // EXIST: ok
        update('small_hash', 106, 1059, 2, 3), // EXIST: missing
        update('small_hash', 106, 1059, 0, 4), // ANY: new
        del('small_hash', 106, 5),
        del('small_hash', 106, 6),
        update('small_hash', 106, 1059, 4, 7), // BPF_F_LOCK without a lock
        update('small_hash', 7, 1, 0, 8),
        update('small_hash', 8, 1, 0, 9), // third key in a 2-entry map
        update('small_hash', 7, 1, '0x100000000 ll', 10), // a high flag bit
        'r0 = 0',
        'exit',
      ].join('\n'),
    );
    expect(b.run(p).fault).toBeUndefined();
    // map_ops.json run 1: results[0..7] = 0, -EEXIST, 0, -ENOENT, 0, 0, -ENOENT, -EINVAL
    expect(b.results(11)).toEqual([0n, EEXIST, 0n, ENOENT, 0n, 0n, ENOENT, EINVAL, 0n, E2BIG, EINVAL]);
    expect([...b.maps.get('small_hash')!.lookup(u32le(6))]).toEqual([...u32le(1059)]);
  });

  it('array: NOEXIST is -EEXIST, an index past the end -E2BIG, delete -EINVAL', () => {
    const b = new Bench();
    b.map('arr', { type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 });
    const p = b.prog('arr', [update('arr', 1, 5, 1, 0), update('arr', 4, 5, 0, 1), update('arr', 3, 9, 2, 2), del('arr', 1, 3), 'r0 = 0', 'exit'].join('\n'));
    b.run(p);
    expect(b.results(4)).toEqual([EEXIST, E2BIG, 0n, EINVAL]);
    expect([...b.maps.get('arr')!.lookup(u32le(3))]).toEqual([9, 0, 0, 0]);
  });
});

describe('bpf_map_lookup_elem', () => {
  const lookup = (map: string, key: number): string => `
    *(u32 *)(r10 - 24) = ${key}
    r1 = map[${map}] ll
    r2 = r10
    r2 += -24
    call bpf_map_lookup_elem`;

  it('returns a pointer into the value: stores through it are what the syscall side reads', () => {
    const b = new Bench();
    const arr = b.map('arr', { type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 });
    arr.update(u32le(2), u64le(40n));
    const p = b.prog('lk', `${lookup('arr', 2)}
      if r0 == 0 goto miss
      r1 = *(u64 *)(r0 + 0)
      r1 += 2
      *(u64 *)(r0 + 0) = r1
      r0 = r1
      exit
    miss:
      r0 = -1
      exit`);
    expect(b.run(p).retval).toBe(42);
    expect(arr.lookup(u32le(2))).toEqual(u64le(42n));
  });

  it('gives NULL for a missing hash key and an index past an array', () => {
    const b = new Bench();
    b.map('arr', { type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 });
    b.map('h', { type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 8, maxEntries: 4 });
    const p = b.prog('lk', `${lookup('arr', 4)}
      ${save(0)}
      ${lookup('h', 1)}
      ${save(1)}
      r0 = 0
      exit`);
    b.run(p);
    expect(b.results(2)).toEqual([0n, 0n]);
  });

  it('on a map-in-map returns the inner map pointer, which works as a map argument', () => {
    const b = new Bench();
    const innerDef = { type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 };
    const inner = b.map('inner', innerDef);
    const outer = b.map('outer', { type: BPF_MAP_TYPE.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 2, innerMap: { name: 'inner', ...innerDef, flags: 0, contents: [], section: '.maps', pinning: 0 } as never });
    outer.update(u32le(1), u32le(inner.id));
    inner.update(u32le(2), u64le(0xbbbbn));
    const p = b.prog('mim', `${lookup('outer', 1)}
      if r0 == 0 goto miss
      r6 = r0
      ${save(0)}
      r1 = r6
      *(u32 *)(r10 - 24) = 2
      r2 = r10
      r2 += -24
      call bpf_map_lookup_elem
      if r0 == 0 goto miss
      r0 = *(u64 *)(r0 + 0)
      exit
    miss:
      r0 = 1
      exit`);
    expect(b.run(p).retval).toBe(0xbbbb);
    expect(BigInt.asUintN(64, b.result(0))).toBe((BigInt(TAG_MAP_PTR) << 32n) | BigInt(inner.id));
  });

  it('faults when r1 is not a map (the verifier would refuse the program)', () => {
    const b = new Bench();
    const p = b.prog('bad', 'r1 = 5\nr2 = r10\nr2 += -8\ncall bpf_map_lookup_elem\nexit');
    const r = b.run(p);
    expect(r.fault?.kind).toBe('helper_fault');
    expect(r.fault?.detail).toMatch(/r1 is not a map pointer/);
  });
});

describe('bpf_map_push_elem / pop_elem / peek_elem', () => {
  const op = (helper: string, map: string, val: number, flags: number | null, slot: number): string => `
    *(u32 *)(r10 - 32) = ${val}
    r1 = map[${map}] ll
    r2 = r10
    r2 += -32
    ${flags === null ? '' : `r3 = ${flags}`}
    call ${helper}
    if r0 != 0 goto +1
    r0 = *(u32 *)(r10 - 32)
    ${save(slot)}`;

  it('queue is FIFO, stack LIFO; full is -E2BIG unless BPF_EXIST drops the oldest; empty is -ENOENT', () => {
    const b = new Bench();
    b.map('fifo', { type: BPF_MAP_TYPE.QUEUE, keySize: 0, valueSize: 4, maxEntries: 3 });
    b.map('lifo', { type: BPF_MAP_TYPE.STACK, keySize: 0, valueSize: 4, maxEntries: 3 });
    const asm = [
      op('bpf_map_push_elem', 'fifo', 1, 0, 0),
      op('bpf_map_push_elem', 'fifo', 2, 0, 0),
      op('bpf_map_push_elem', 'fifo', 3, 0, 0),
      op('bpf_map_push_elem', 'fifo', 4, 0, 0), // full: -E2BIG, stored as r0
      op('bpf_map_push_elem', 'fifo', 5, 2, 1), // BPF_EXIST: 1 is dropped
      op('bpf_map_peek_elem', 'fifo', 0, null, 2),
      op('bpf_map_pop_elem', 'fifo', 0, null, 3),
      op('bpf_map_push_elem', 'fifo', 6, 1, 4), // BPF_NOEXIST is -EINVAL for queues
      op('bpf_map_push_elem', 'lifo', 7, 0, 5),
      op('bpf_map_push_elem', 'lifo', 8, 0, 5),
      op('bpf_map_pop_elem', 'lifo', 0, null, 6),
      op('bpf_map_pop_elem', 'lifo', 0, null, 7),
      op('bpf_map_pop_elem', 'lifo', 0, null, 8),
      op('bpf_map_push_elem', 'fifo', 9, 0, 9),
      'r0 = 0',
      'exit',
    ].join('\n');
    // slot 0 holds the last of the first four pushes: the fourth, refused
    b.run(b.prog('qs', asm));
    expect(b.results(10)).toEqual([E2BIG, 5n, 2n, 2n, EINVAL, 8n, 8n, 7n, ENOENT, 9n]);
  });

  it('records the same sequence as the kernel for queue_stack run 1 (map_ops.json)', () => {
    // push len to both, pop both (= len), peek both (empty: -ENOENT), push len + 10000
    const b = new Bench();
    b.map('fifo', { type: BPF_MAP_TYPE.QUEUE, keySize: 0, valueSize: 4, maxEntries: 3 });
    b.map('lifo', { type: BPF_MAP_TYPE.STACK, keySize: 0, valueSize: 4, maxEntries: 3 });
    const asm = [
      op('bpf_map_push_elem', 'fifo', 43, 0, 0),
      op('bpf_map_push_elem', 'lifo', 43, 0, 1),
      op('bpf_map_pop_elem', 'fifo', 0, null, 2),
      op('bpf_map_pop_elem', 'lifo', 0, null, 3),
      op('bpf_map_peek_elem', 'fifo', 0, null, 4),
      op('bpf_map_peek_elem', 'lifo', 0, null, 5),
      op('bpf_map_push_elem', 'fifo', 10043, 0, 6),
      'r0 = 0',
      'exit',
    ].join('\n');
    b.run(b.prog('qs', asm), frame(43));
    // the push results are stored as the pushed value (r0 == 0 reloads the buffer): 43
    expect(b.results(7)).toEqual([43n, 43n, 43n, 43n, ENOENT, ENOENT, 10043n]);
  });
});

describe('bpf_map_lookup_percpu_elem', () => {
  it("points at the given CPU's copy; NULL for cpu >= cpus or a map that is not per-CPU", () => {
    const b = new Bench(2);
    const pc = b.map('pcpu', { type: BPF_MAP_TYPE.PERCPU_ARRAY, keySize: 4, valueSize: 8, maxEntries: 2 });
    b.map('arr', { type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 2 });
    const value = new Uint8Array(16);
    value.set(u64le(10n), 0);
    value.set(u64le(11n), 8);
    pc.update(u32le(1), value);
    const lk = (map: string, cpu: number, slot: number, deref: boolean): string => `
      *(u32 *)(r10 - 24) = 1
      r1 = map[${map}] ll
      r2 = r10
      r2 += -24
      r3 = ${cpu}
      call bpf_map_lookup_percpu_elem
      ${deref ? 'if r0 == 0 goto +1\nr0 = *(u64 *)(r0 + 0)' : ''}
      ${save(slot)}`;
    const p = b.prog('pc', [lk('pcpu', 0, 0, true), lk('pcpu', 1, 1, true), lk('pcpu', 2, 2, false), lk('arr', 0, 3, false), 'r0 = 0', 'exit'].join('\n'));
    b.run(p);
    expect(b.results(4)).toEqual([10n, 11n, 0n, 0n]);
  });
});
