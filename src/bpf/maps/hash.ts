// hash.ts: BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH and HASH_OF_MAPS
// (kernel/bpf/hashtab.c), as bucket chains over typed arrays:
//
//   heads[jhash(key, key_size, 0) & (n_buckets-1)] -> slot -> next[slot] -> ... -> -1
//   keys[slot*key_size..], hashes[slot], values in the slab region at slot (per CPU)
//
// n_buckets = roundup_pow_of_two(max_entries) and new elements go to the head of their bucket,
// as in the kernel, and an update that replaces an element (not per-CPU) links a new element
// at the head and unlinks the old one. So get_next_key, batch lookups and for_each walk the
// kernel's order exactly when the kernel map has BPF_F_ZERO_SEED; without it the kernel hashes
// with a random seed and its order is random, ours stays the zero-seed order.
// Deleted or replaced elements free their slot through the slab's grace period (slab.ts).
// LRU (kernel/bpf/bpf_lru_list.c in spirit, not in detail): one global list, most recent at the
// head; a program lookup sets the element's ref bit; when full, the tail is examined and
// referenced elements get a second chance (moved to the head, bit cleared), the first
// unreferenced one is evicted. The kernel's per-CPU free lists can evict before the map is
// full and may evict another element when replacing one in a full map; ours does neither.
import type { Region } from '../memory.js';
import { BPF_EXIST, BPF_F_LOCK, BPF_F_RDONLY_PROG, BPF_MAP_TYPE, BPF_NOEXIST } from '../spec.js';
import { jhash, jhashView } from './jhash.js';
import { BpfMap, E, bytesEqual, type BatchLookupResult, type MapAttrs, type MapEnv, type LookupKind } from './map.js';
import { innerMapCompatible } from './meta.js';
import { ValueSlab } from './slab.js';

const HASH_SEED = 0; // the kernel's hashrnd with BPF_F_ZERO_SEED

export function roundupPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export class HashMap extends BpfMap {
  override readonly percpu: boolean;
  override readonly lookupKind: LookupKind;
  readonly lru: boolean;
  readonly nBuckets: number;
  readonly slab: ValueSlab;
  private readonly mask: number;
  private readonly heads: Int32Array;
  private keyStore: Uint8Array;
  /** keyStore as a DataView (findView compares keys a word at a time). */
  private keyView: DataView;
  private hashes: Uint32Array;
  private next: Int32Array;
  private count = 0;
  // LRU list (only for LRU maps)
  private lruPrev: Int32Array;
  private lruNext: Int32Array;
  private ref: Uint8Array;
  private lruHead = -1;
  private lruTail = -1;
  private readonly scratchKey: Uint8Array;

  constructor(
    attrs: MapAttrs,
    env: MapEnv,
    /** hash of maps: the inner map template and the id resolver */
    private readonly inner: { meta: MapAttrs; mapById?: MapEnv['mapById'] } | null = null,
  ) {
    super(attrs, env);
    const t = attrs.type;
    this.percpu = t === BPF_MAP_TYPE.PERCPU_HASH || t === BPF_MAP_TYPE.LRU_PERCPU_HASH;
    this.lru = t === BPF_MAP_TYPE.LRU_HASH || t === BPF_MAP_TYPE.LRU_PERCPU_HASH;
    this.lookupKind = inner ? 'map' : 'value';
    this.nBuckets = roundupPow2(Math.max(1, this.maxEntries));
    this.mask = this.nBuckets - 1;
    this.heads = new Int32Array(this.nBuckets).fill(-1);
    const cap = Math.min(this.maxEntries, 64);
    this.slab = new ValueSlab(env.memory, `map ${this.describe()}`, this.valueSize, this.percpu ? this.cpus : 1, cap, !inner && (this.flags & BPF_F_RDONLY_PROG) === 0);
    this.valueTag = this.slab.tag;
    this.keyStore = new Uint8Array(this.slab.capacity * this.keySize);
    this.keyView = new DataView(this.keyStore.buffer);
    this.hashes = new Uint32Array(this.slab.capacity);
    this.next = new Int32Array(this.slab.capacity);
    this.lruPrev = new Int32Array(this.lru ? this.slab.capacity : 0);
    this.lruNext = new Int32Array(this.lru ? this.slab.capacity : 0);
    this.ref = new Uint8Array(this.lru ? this.slab.capacity : 0);
    this.scratchKey = new Uint8Array(this.keySize);
    this.slab.onGrow = (c) => this.grow(c);
    this.batchOps = { lookup: true, lookupAndDelete: true, update: true, delete: true };
  }

  private grow(capacity: number): void {
    const k = new Uint8Array(capacity * this.keySize);
    k.set(this.keyStore);
    this.keyStore = k;
    this.keyView = new DataView(k.buffer);
    this.hashes = growU32(this.hashes, capacity);
    this.next = growI32(this.next, capacity);
    if (this.lru) {
      this.lruPrev = growI32(this.lruPrev, capacity);
      this.lruNext = growI32(this.lruNext, capacity);
      const r = new Uint8Array(capacity);
      r.set(this.ref);
      this.ref = r;
    }
  }

  get size(): number {
    return this.count;
  }

  override quiesce(): void {
    this.slab.quiesce();
  }

  // ------------------------------------------------------------------ chains
  private find(key: Uint8Array, off: number, hash: number): number {
    const ks = this.keySize;
    for (let s = this.heads[hash & this.mask]; s !== -1; s = this.next[s]) {
      if (this.hashes[s] === hash && bytesEqual(this.keyStore, s * ks, key, off, ks)) return s;
    }
    return -1;
  }

  /** find() for a key in a region's view (a program's lookup): keys compared a word at a time. */
  private findView(kv: DataView, off: number, hash: number): number {
    const ks = this.keySize;
    const store = this.keyView;
    for (let s = this.heads[hash & this.mask]; s !== -1; s = this.next[s]) {
      if (this.hashes[s] !== hash) continue;
      const at = s * ks;
      let i = 0;
      for (; i + 4 <= ks; i += 4) if (store.getInt32(at + i, true) !== kv.getInt32(off + i, true)) break;
      if (i + 4 <= ks) continue;
      for (; i < ks; i++) if (store.getUint8(at + i) !== kv.getUint8(off + i)) break;
      if (i === ks) return s;
    }
    return -1;
  }

  private link(slot: number, key: Uint8Array, off: number, hash: number): void {
    this.keyStore.set(key.subarray(off, off + this.keySize), slot * this.keySize);
    this.hashes[slot] = hash;
    const b = hash & this.mask;
    this.next[slot] = this.heads[b];
    this.heads[b] = slot;
    if (this.lru) this.lruPushHead(slot);
  }

  private unlink(slot: number): void {
    const b = this.hashes[slot] & this.mask;
    if (this.heads[b] === slot) this.heads[b] = this.next[slot];
    else {
      let p = this.heads[b];
      while (this.next[p] !== slot) p = this.next[p];
      this.next[p] = this.next[slot];
    }
    if (this.lru) this.lruRemove(slot);
  }

  private lruPushHead(slot: number): void {
    this.ref[slot] = 0;
    this.lruPrev[slot] = -1;
    this.lruNext[slot] = this.lruHead;
    if (this.lruHead !== -1) this.lruPrev[this.lruHead] = slot;
    this.lruHead = slot;
    if (this.lruTail === -1) this.lruTail = slot;
  }

  private lruRemove(slot: number): void {
    const p = this.lruPrev[slot];
    const n = this.lruNext[slot];
    if (p === -1) this.lruHead = n;
    else this.lruNext[p] = n;
    if (n === -1) this.lruTail = p;
    else this.lruPrev[n] = p;
  }

  /** Second-chance eviction from the tail of the LRU list. */
  private evictOne(deferred: boolean): void {
    for (;;) {
      const s = this.lruTail;
      if (s === -1) return;
      if (this.ref[s]) {
        this.lruRemove(s);
        this.lruPushHead(s);
        continue;
      }
      this.unlink(s);
      this.count--;
      this.slab.release(s, deferred);
      return;
    }
  }

  // ------------------------------------------------------------------ shared update/delete
  /**
   * htab_*_update_elem. `src`/`srcOff` holds the value: one value for programs (written to
   * `cpu`'s copy), all CPUs' round_up(value_size, 8) copies for syscalls (`cpu` = -1).
   */
  private updateElem(key: Uint8Array, koff: number, src: Uint8Array, srcOff: number, flags: number, cpu: number, fromProg: boolean): number {
    if ((flags & ~BPF_F_LOCK) > BPF_EXIST || flags & BPF_F_LOCK) return -E.EINVAL;
    const hash = jhash(key, koff, this.keySize, HASH_SEED);
    const old = this.find(key, koff, hash);
    if (old !== -1 && flags === BPF_NOEXIST) return -E.EEXIST;
    if (old === -1 && flags === BPF_EXIST) return -E.ENOENT;
    if (old !== -1 && this.percpu) {
      // per-CPU elements are updated in place (pcpu_copy_value)
      this.writeValue(old, src, srcOff, cpu);
      if (this.lru) this.ref[old] = 1;
      return 0;
    }
    if (old === -1 && this.count >= this.maxEntries) {
      if (!this.lru) return -E.E2BIG;
      this.evictOne(fromProg);
    }
    const slot = this.slab.alloc();
    this.writeValue(slot, src, srcOff, cpu);
    // copy the key first: `key` may alias storage that unlink() or a later alloc reuses
    this.link(slot, key, koff, hash);
    if (old !== -1) {
      this.unlink(old);
      this.slab.release(old, fromProg);
    } else this.count++;
    return 0;
  }

  private writeValue(slot: number, src: Uint8Array, off: number, cpu: number): void {
    const s = this.slab;
    if (!this.percpu) {
      s.bytes.set(src.subarray(off, off + this.valueSize), s.offset(slot));
      return;
    }
    if (cpu < 0) {
      for (let c = 0; c < this.cpus; c++) s.bytes.set(src.subarray(off + c * s.stride, off + c * s.stride + this.valueSize), s.offset(slot, c));
      return;
    }
    // a program writes its CPU's copy; a fresh element's other copies stay zero (pcpu_init_value)
    s.bytes.set(src.subarray(off, off + this.valueSize), s.offset(slot, cpu));
  }

  private deleteElem(key: Uint8Array, koff: number, fromProg: boolean): number {
    const slot = this.find(key, koff, jhash(key, koff, this.keySize, HASH_SEED));
    if (slot === -1) return -E.ENOENT;
    this.unlink(slot);
    this.count--;
    this.slab.release(slot, fromProg);
    return 0;
  }

  private copyOut(slot: number, out: Uint8Array, at = 0): void {
    const s = this.slab;
    if (!this.percpu) {
      out.set(s.bytes.subarray(s.offset(slot), s.offset(slot) + this.valueSize), at);
      return;
    }
    for (let c = 0; c < this.cpus; c++) out.set(s.bytes.subarray(s.offset(slot, c), s.offset(slot, c) + s.stride), at + c * s.stride);
  }

  // ------------------------------------------------------------------ syscall side
  protected sysLookup(key: Uint8Array, out: Uint8Array): number {
    const slot = this.find(key, 0, jhash(key, 0, this.keySize, HASH_SEED));
    if (slot === -1) return -E.ENOENT;
    this.copyOut(slot, out);
    return 0;
  }

  protected sysUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (this.inner) {
      const id = new DataView(value.buffer, value.byteOffset, 4).getUint32(0, true);
      const m = this.inner.mapById?.(id);
      if (!m) return -E.EBADF;
      if (!innerMapCompatible(this.inner.meta, m)) return -E.EINVAL;
    }
    return this.updateElem(key, 0, value, 0, flags, -1, false);
  }

  protected sysDelete(key: Uint8Array): number {
    return this.deleteElem(key, 0, false);
  }

  protected override sysLookupAndDelete(key: Uint8Array, out: Uint8Array): number {
    if (this.inner) return -E.ENOTSUPP;
    const slot = this.find(key, 0, jhash(key, 0, this.keySize, HASH_SEED));
    if (slot === -1) return -E.ENOENT;
    this.copyOut(slot, out);
    return this.deleteElem(key, 0, false);
  }

  /** htab_map_get_next_key: rest of the key's bucket chain, then the following buckets. */
  protected sysNextKey(key: Uint8Array | null, out: Uint8Array): number {
    let b = 0;
    if (key !== null) {
      const hash = jhash(key, 0, this.keySize, HASH_SEED);
      const s = this.find(key, 0, hash);
      if (s !== -1) {
        if (this.next[s] !== -1) return this.copyKey(this.next[s], out);
        b = (hash & this.mask) + 1;
      }
    }
    for (; b < this.nBuckets; b++) if (this.heads[b] !== -1) return this.copyKey(this.heads[b], out);
    return -E.ENOENT;
  }

  private copyKey(slot: number, out: Uint8Array): number {
    out.set(this.keyStore.subarray(slot * this.keySize, (slot + 1) * this.keySize));
    return 0;
  }

  /** __htab_map_lookup_and_delete_batch: whole buckets at a time, the cursor is a bucket index. */
  protected override batchLookup(inBatch: Uint8Array | null, count: number, del: boolean, res: BatchLookupResult): number {
    let b = inBatch ? new DataView(inBatch.buffer, inBatch.byteOffset, 4).getUint32(0, true) : 0;
    if (b >= this.nBuckets) return -E.ENOENT;
    let ret = 0;
    for (;;) {
      let n = 0;
      for (let s = this.heads[b]; s !== -1; s = this.next[s]) n++;
      if (n > count - res.keys.length) {
        if (res.keys.length === 0) ret = -E.ENOSPC;
        break;
      }
      const slots: number[] = [];
      for (let s = this.heads[b]; s !== -1; s = this.next[s]) slots.push(s);
      for (const s of slots) {
        res.keys.push(this.keyStore.slice(s * this.keySize, (s + 1) * this.keySize));
        const v = new Uint8Array(this.sysValueSize);
        this.copyOut(s, v);
        res.values.push(v);
        if (del) {
          this.unlink(s);
          this.count--;
          this.slab.release(s, false);
        }
      }
      b++;
      if (b >= this.nBuckets) {
        ret = -E.ENOENT;
        break;
      }
    }
    const cursor = new Uint8Array(4);
    new DataView(cursor.buffer).setUint32(0, b, true);
    res.outBatch = cursor;
    return ret;
  }

  // ------------------------------------------------------------------ program side
  override progLookup(key: Region, keyOff: number, cpu: number): number {
    const kv = key.view;
    const slot = this.findView(kv, keyOff, jhashView(kv, keyOff, this.keySize, HASH_SEED));
    if (slot === -1) return -1;
    if (this.lru) this.ref[slot] = 1;
    if (this.inner) {
      const v = this.slab.bytes;
      const at = this.slab.offset(slot);
      return (v[at] | (v[at + 1] << 8) | (v[at + 2] << 16) | (v[at + 3] << 24)) >>> 0;
    }
    return this.slab.offset(slot, this.percpu ? cpu : 0);
  }

  override progLookupPercpu(key: Region, keyOff: number, cpu: number): number {
    if (!this.percpu || cpu >= this.cpus) return -1;
    const kb = key.bytes;
    const slot = this.find(kb, keyOff, jhash(kb, keyOff, this.keySize, HASH_SEED));
    if (slot === -1) return -1;
    if (this.lru) this.ref[slot] = 1;
    return this.slab.offset(slot, cpu);
  }

  override progUpdate(key: Region, keyOff: number, val: Region, valOff: number, flags: number, cpu: number): number {
    if (this.inner) return -E.EINVAL; // the verifier refuses map-in-map updates from programs
    // the key may live in this map's own storage (a value used as a key): copy it first
    this.scratchKey.set(key.bytes.subarray(keyOff, keyOff + this.keySize));
    return this.updateElem(this.scratchKey, 0, val.bytes, valOff, flags, this.percpu ? cpu : 0, true);
  }

  override progDelete(key: Region, keyOff: number): number {
    if (this.inner) return -E.EINVAL;
    return this.deleteElem(key.bytes, keyOff, true);
  }

  /** bpf_for_each_map_elem: bucket order; cb gets (key bytes, value offset), true stops. */
  forEach(cpu: number, cb: (key: Uint8Array, valueOff: number) => boolean): number {
    let n = 0;
    for (let b = 0; b < this.nBuckets; b++) {
      for (let s = this.heads[b]; s !== -1; s = this.next[s]) {
        n++;
        if (cb(this.keyStore.subarray(s * this.keySize, (s + 1) * this.keySize), this.slab.offset(s, this.percpu ? cpu : 0))) return n;
      }
    }
    return n;
  }
}

function growU32(a: Uint32Array, n: number): Uint32Array {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}

function growI32(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}
