// map.ts: the live map every type extends. Two faces:
//  - syscall side (bpf(2) BPF_MAP_*): bytes in, bytes out, throws SimError with the kernel's errno;
//    per-CPU values are round_up(value_size, 8) * cpus bytes, prog arrays and map-in-maps take
//    and return ids where the kernel takes fds and returns ids;
//  - program side (helpers): keys and values read from a Region, results as a value offset in
//    the map's slab region (`valueTag`) or -1, and 0 / -errno; nothing allocates.
import { ERRNO, SimError, errnoName, type ErrnoName } from '../../errors.js';
import type { Memory, Region } from '../memory.js';
import { BPF_F_LOCK, BPF_F_RDONLY, BPF_F_WRONLY, mapTypeName } from '../spec.js';
import { roundUp8 } from './slab.js';
import { hex } from '../../packet/bytes.js';

/** What map_create needs (a MapSpec satisfies it). */
export interface MapAttrs {
  readonly name?: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  /** For array/hash of maps: the inner map template (the kernel's inner_map_fd). */
  readonly innerMap?: MapAttrs;
  /** map_extra: bloom filter hash count in the low 4 bits. */
  readonly mapExtra?: number;
}

/** The little a map needs to know about a program (prog arrays). */
export interface MapProgRef {
  readonly id: number;
  readonly type: number;
}

export interface MapEnv {
  readonly memory: Memory;
  /** Simulated CPU count (sizes per-CPU maps); default 1. */
  readonly cpus?: number;
  /** Hands out map ids; default: a counter per process. */
  readonly allocId?: () => number;
  /** Resolves ids written into prog arrays (the kernel takes prog fds there). */
  readonly progById?: (id: number) => MapProgRef | undefined;
  /** Resolves ids written into map-in-maps (the kernel takes map fds there). */
  readonly mapById?: (id: number) => BpfMap | undefined;
}

let processMapIds = 0;
export function defaultMapId(): number {
  return ++processMapIds;
}

/** Result of a batch lookup: what was copied, and the errno the kernel returns with it. */
export interface BatchLookupResult {
  keys: Uint8Array[];
  values: Uint8Array[];
  /** The cursor to pass back as inBatch (null when the kernel writes none). */
  outBatch: Uint8Array | null;
  /** 'ENOENT' when the walk reached the end (data may still be present), or another errno. */
  error: ErrnoName | null;
}

export interface BatchWriteResult {
  /** Elements processed before the error (the kernel's batch.count). */
  done: number;
  error: ErrnoName | null;
}

export const E = ERRNO;

/** How program-side lookups answer: a value pointer, a map pointer (map-in-map), or nothing. */
export type LookupKind = 'value' | 'map' | 'none';

export abstract class BpfMap {
  readonly id: number;
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly cpus: number;
  readonly memory: Memory;
  frozen = false;
  /** Region tag of the value slab programs point into; -1 when the map has none. */
  valueTag = -1;
  readonly lookupKind: LookupKind = 'value';
  /** Whether the syscall value is per-CPU (round_up(value_size, 8) * cpus bytes). */
  readonly percpu: boolean = false;

  constructor(attrs: MapAttrs, env: MapEnv) {
    this.type = attrs.type;
    this.keySize = attrs.keySize;
    this.valueSize = attrs.valueSize;
    this.maxEntries = attrs.maxEntries;
    this.flags = attrs.flags;
    this.name = attrs.name ?? '';
    this.cpus = env.cpus ?? 1;
    this.memory = env.memory;
    this.id = (env.allocId ?? defaultMapId)();
  }

  get typeName(): string {
    return mapTypeName(this.type);
  }

  /** Bytes of a value as the syscall side sees it. */
  get sysValueSize(): number {
    return this.percpu ? roundUp8(this.valueSize) * this.cpus : this.valueSize;
  }

  // ------------------------------------------------------------------ per-type primitives
  // Syscall-side primitives return 0 or a negative errno; the public methods wrap them.
  protected abstract sysLookup(key: Uint8Array, out: Uint8Array): number;
  protected abstract sysUpdate(key: Uint8Array, value: Uint8Array, flags: number): number;
  protected abstract sysDelete(key: Uint8Array): number;
  protected abstract sysNextKey(key: Uint8Array | null, out: Uint8Array): number;
  protected sysLookupAndDelete(_key: Uint8Array, _out: Uint8Array, _flags: number): number {
    return -E.ENOTSUPP;
  }
  /** Which batch operations the type has (kernel: the ops table's map_*_batch). */
  protected batchOps: { lookup: boolean; lookupAndDelete: boolean; update: boolean; delete: boolean } = {
    lookup: false,
    lookupAndDelete: false,
    update: false,
    delete: false,
  };

  /** RCU grace period: storage freed by programs may be reused after this. */
  quiesce(): void {}

  // ------------------------------------------------------------------ program side
  /** bpf_map_lookup_elem: value offset in `valueTag` (map id for map-in-maps), or -1. */
  progLookup(_key: Region, _keyOff: number, _cpu: number): number {
    return -1;
  }
  /** bpf_map_lookup_percpu_elem: that CPU's copy, -1 when cpu >= cpus or not found. */
  progLookupPercpu(_key: Region, _keyOff: number, _cpu: number): number {
    return -1;
  }
  /** bpf_map_update_elem from a program: 0 or -errno. */
  progUpdate(_key: Region, _keyOff: number, _val: Region, _valOff: number, _flags: number, _cpu: number): number {
    return -E.EINVAL;
  }
  /** bpf_map_delete_elem from a program: 0 or -errno. */
  progDelete(_key: Region, _keyOff: number): number {
    return -E.EINVAL;
  }
  /** bpf_map_push_elem (queue/stack/bloom): 0 or -errno. */
  progPush(_val: Region, _valOff: number, _flags: number): number {
    return -E.EINVAL;
  }
  /** bpf_map_pop_elem: copies into dst, 0 or -errno. */
  progPop(_dst: Region, _dstOff: number): number {
    return -E.EINVAL;
  }
  /** bpf_map_peek_elem (bloom: membership test of the value at dst): 0 or -errno. */
  progPeek(_dst: Region, _dstOff: number): number {
    return -E.EINVAL;
  }

  // ------------------------------------------------------------------ syscall side
  protected fail(errno: number, what: string): never {
    const code = errnoName(errno) as ErrnoName;
    throw new SimError(code, `map ${this.describe()}: ${what}`);
  }

  describe(): string {
    return `${this.name || `id ${this.id}`} (${this.typeName})`;
  }

  private checkKey(key: Uint8Array | null, what: string): Uint8Array {
    const k = key ?? new Uint8Array(0);
    if (k.length !== this.keySize) {
      throw new SimError('EINVAL', `map ${this.describe()}: ${what}: key is ${k.length} bytes, map key_size is ${this.keySize}`);
    }
    return k;
  }

  private canRead(what: string): void {
    if (this.flags & BPF_F_WRONLY) this.fail(-E.EPERM, `${what}: map is write-only to syscalls (BPF_F_WRONLY)`);
  }

  private canWrite(what: string): void {
    if (this.flags & BPF_F_RDONLY) this.fail(-E.EPERM, `${what}: map is read-only to syscalls (BPF_F_RDONLY)`);
    if (this.frozen) this.fail(-E.EPERM, `${what}: map is frozen`);
  }

  /** BPF_MAP_LOOKUP_ELEM. `probe` is the value to test for bloom filters. */
  lookup(key: Uint8Array | null, flags = 0, probe?: Uint8Array): Uint8Array {
    this.quiesce();
    if (flags & ~BPF_F_LOCK) this.fail(-E.EINVAL, `lookup: bad flags 0x${flags.toString(16)}`);
    this.canRead('lookup');
    if (flags & BPF_F_LOCK) this.fail(-E.EINVAL, 'lookup: BPF_F_LOCK on a map without a bpf_spin_lock');
    const k = this.checkKey(key, 'lookup');
    const out = probe ? Uint8Array.from(probe) : new Uint8Array(this.sysValueSize);
    const r = this.sysLookup(k, out);
    if (r < 0) this.fail(r, `lookup ${hex(k)}`);
    return out;
  }

  /** BPF_MAP_UPDATE_ELEM with BPF_ANY / BPF_NOEXIST / BPF_EXIST. */
  update(key: Uint8Array | null, value: Uint8Array, flags = 0): void {
    this.quiesce();
    this.canWrite('update');
    if (flags & BPF_F_LOCK) this.fail(-E.EINVAL, 'update: BPF_F_LOCK on a map without a bpf_spin_lock');
    const k = this.checkKey(key, 'update');
    if (value.length !== this.sysValueSize) {
      this.fail(-E.EINVAL, `update: value is ${value.length} bytes, expected ${this.sysValueSize}`);
    }
    const r = this.sysUpdate(k, value, flags);
    if (r < 0) this.fail(r, `update ${hex(k)} (flags ${flags})`);
  }

  /** BPF_MAP_DELETE_ELEM. */
  delete(key: Uint8Array | null): void {
    this.quiesce();
    this.canWrite('delete');
    const k = this.checkKey(key, 'delete');
    const r = this.sysDelete(k);
    if (r < 0) this.fail(r, `delete ${hex(k)}`);
  }

  /** BPF_MAP_GET_NEXT_KEY; null starts the walk. Throws ENOENT after the last key. */
  getNextKey(key: Uint8Array | null): Uint8Array {
    this.quiesce();
    this.canRead('get_next_key');
    const out = new Uint8Array(this.keySize);
    const r = this.sysNextKey(key === null ? null : this.checkKey(key, 'get_next_key'), out);
    if (r < 0) this.fail(r, `get_next_key ${key ? hex(key) : 'NULL'}`);
    return out;
  }

  /** Every key in get_next_key order. */
  keys(): Uint8Array[] {
    const out: Uint8Array[] = [];
    let prev: Uint8Array | null = null;
    const buf = new Uint8Array(this.keySize);
    for (;;) {
      if (this.sysNextKey(prev, buf) < 0) return out;
      prev = Uint8Array.from(buf);
      out.push(prev);
      if (out.length > this.maxEntries + 1) return out; // array-like maps that never end
    }
  }

  /** BPF_MAP_LOOKUP_AND_DELETE_ELEM (hash: that key; queue/stack: pop). */
  lookupAndDelete(key: Uint8Array | null, flags = 0): Uint8Array {
    this.quiesce();
    if (flags & ~BPF_F_LOCK) this.fail(-E.EINVAL, `lookup_and_delete: bad flags 0x${flags.toString(16)}`);
    this.canRead('lookup_and_delete');
    this.canWrite('lookup_and_delete');
    if (flags) this.fail(-E.EINVAL, 'lookup_and_delete: BPF_F_LOCK on a map without a bpf_spin_lock');
    const k = this.checkKey(key, 'lookup_and_delete');
    const out = new Uint8Array(this.sysValueSize);
    const r = this.sysLookupAndDelete(k, out, flags);
    if (r < 0) this.fail(r, `lookup_and_delete ${hex(k)}`);
    return out;
  }

  /** BPF_MAP_FREEZE: no more syscall-side writes (programs still write unless RDONLY_PROG). */
  freeze(): void {
    if (this.frozen || this.flags & BPF_F_RDONLY) this.fail(-E.EPERM, 'freeze: map is not writable');
    this.frozen = true;
  }

  /** BPF_MAP_LOOKUP_BATCH / LOOKUP_AND_DELETE_BATCH. */
  lookupBatch(opts: { inBatch?: Uint8Array | null; count: number; elemFlags?: number; flags?: number; delete?: boolean }): BatchLookupResult {
    this.quiesce();
    const del = opts.delete === true;
    if (!(del ? this.batchOps.lookupAndDelete : this.batchOps.lookup)) {
      this.fail(-E.ENOTSUPP, `${del ? 'lookup_and_delete' : 'lookup'}_batch: not supported by ${this.typeName}`);
    }
    this.canRead('lookup_batch');
    if (del) this.canWrite('lookup_and_delete_batch');
    const elemFlags = opts.elemFlags ?? 0;
    if (elemFlags !== 0 || (opts.flags ?? 0) !== 0) {
      this.fail(-E.EINVAL, `lookup_batch: bad flags (elem_flags 0x${elemFlags.toString(16)}, flags 0x${(opts.flags ?? 0).toString(16)})`);
    }
    const res: BatchLookupResult = { keys: [], values: [], outBatch: null, error: null };
    if (opts.count === 0) return res;
    const r = this.batchLookup(opts.inBatch ?? null, opts.count, del, res);
    if (r === -E.ENOENT) res.error = 'ENOENT';
    else if (r < 0) this.fail(r, 'lookup_batch');
    return res;
  }

  /** The kernel's generic_map_lookup_batch: a get_next_key walk; the cursor is the last key. */
  protected batchLookup(inBatch: Uint8Array | null, count: number, del: boolean, res: BatchLookupResult): number {
    let prev = inBatch;
    const key = new Uint8Array(this.keySize);
    let err = 0;
    while (res.keys.length < count) {
      err = this.sysNextKey(prev, key);
      if (err < 0) break;
      const value = new Uint8Array(this.sysValueSize);
      const r = del ? this.sysLookupAndDelete(key, value, 0) : this.sysLookup(key, value);
      prev = Uint8Array.from(key);
      if (r === -E.ENOENT) continue;
      if (r < 0) return r;
      res.keys.push(prev);
      res.values.push(value);
    }
    if (res.keys.length > 0) res.outBatch = res.keys[res.keys.length - 1];
    return err;
  }

  /** BPF_MAP_UPDATE_BATCH (generic_map_update_batch: stops at the first error). */
  updateBatch(keys: readonly Uint8Array[], values: readonly Uint8Array[], elemFlags = 0, flags = 0): BatchWriteResult {
    this.quiesce();
    if (!this.batchOps.update) this.fail(-E.ENOTSUPP, `update_batch: not supported by ${this.typeName}`);
    this.canWrite('update_batch');
    if ((elemFlags & ~BPF_F_LOCK) !== 0 || flags !== 0) {
      return { done: keys.length, error: 'EINVAL' };
    }
    if (elemFlags & BPF_F_LOCK) return { done: keys.length, error: 'EINVAL' };
    for (let i = 0; i < keys.length; i++) {
      const r = this.sysUpdate(keys[i], values[i], elemFlags);
      if (r < 0) return { done: i, error: errnoName(r) as ErrnoName };
    }
    return { done: keys.length, error: null };
  }

  /** BPF_MAP_DELETE_BATCH (generic_map_delete_batch: stops at the first error). */
  deleteBatch(keys: readonly Uint8Array[], elemFlags = 0, flags = 0): BatchWriteResult {
    this.quiesce();
    if (!this.batchOps.delete) this.fail(-E.ENOTSUPP, `delete_batch: not supported by ${this.typeName}`);
    this.canWrite('delete_batch');
    if (elemFlags !== 0 || flags !== 0) return { done: keys.length, error: 'EINVAL' };
    for (let i = 0; i < keys.length; i++) {
      const r = this.sysDelete(keys[i]);
      if (r < 0) return { done: i, error: errnoName(r) as ErrnoName };
    }
    return { done: keys.length, error: null };
  }

  /** Every (key, value) in get_next_key order, values in syscall format (for dumps). */
  entries(): { key: Uint8Array; value: Uint8Array }[] {
    const out: { key: Uint8Array; value: Uint8Array }[] = [];
    for (const key of this.keys()) {
      const value = new Uint8Array(this.sysValueSize);
      if (this.sysLookup(key, value) === 0) out.push({ key, value });
    }
    return out;
  }
}

export { hex };

/** Compares len bytes of a at ao with b at bo. */
export function bytesEqual(a: Uint8Array, ao: number, b: Uint8Array, bo: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}
