// array.ts: BPF_MAP_TYPE_ARRAY and PERCPU_ARRAY (kernel/bpf/arraymap.c). Every index in
// [0, max_entries) exists from creation, zero-filled; element i is slot i of the value slab
// (per-CPU: one copy per CPU, the program sees the current CPU's). Nothing is ever deleted.
import type { Region } from '../memory.js';
import { BPF_EXIST, BPF_F_LOCK, BPF_F_RDONLY_PROG, BPF_MAP_TYPE, BPF_NOEXIST } from '../spec.js';
import { arrayNextKey, readIndex } from './array-index.js';
import { BpfMap, E, type MapAttrs, type MapEnv } from './map.js';
import { ValueSlab } from './slab.js';

export class ArrayMap extends BpfMap {
  override readonly percpu: boolean;
  readonly slab: ValueSlab;

  constructor(attrs: MapAttrs, env: MapEnv) {
    super(attrs, env);
    this.percpu = attrs.type === BPF_MAP_TYPE.PERCPU_ARRAY;
    const cpus = this.percpu ? this.cpus : 1;
    this.slab = new ValueSlab(env.memory, `map ${this.describe()}`, this.valueSize, cpus, this.maxEntries, (this.flags & BPF_F_RDONLY_PROG) === 0);
    this.valueTag = this.slab.tag;
    this.batchOps = { lookup: true, lookupAndDelete: false, update: true, delete: false };
  }

  /** The whole value of index i, for loaders filling global data. */
  valueBytes(index: number, cpu = 0): Uint8Array {
    const at = this.slab.offset(index, cpu);
    return this.slab.bytes.subarray(at, at + this.valueSize);
  }

  protected sysLookup(key: Uint8Array, out: Uint8Array): number {
    const i = readIndex(key, 0);
    if (i >= this.maxEntries) return -E.ENOENT;
    this.copyOut(i, out);
    return 0;
  }

  private copyOut(i: number, out: Uint8Array): void {
    const s = this.slab;
    if (!this.percpu) {
      out.set(s.bytes.subarray(s.offset(i), s.offset(i) + this.valueSize));
      return;
    }
    for (let c = 0; c < this.cpus; c++) {
      out.set(s.bytes.subarray(s.offset(i, c), s.offset(i, c) + s.stride), c * s.stride);
    }
  }

  protected sysUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    const r = this.checkUpdate(key, 0, flags);
    if (r < 0) return r;
    const i = readIndex(key, 0);
    const s = this.slab;
    if (!this.percpu) s.bytes.set(value.subarray(0, this.valueSize), s.offset(i));
    else for (let c = 0; c < this.cpus; c++) s.bytes.set(value.subarray(c * s.stride, c * s.stride + this.valueSize), s.offset(i, c));
    return 0;
  }

  /** array_map_update_elem's checks, in its order. */
  private checkUpdate(key: Uint8Array, off: number, flags: number): number {
    if ((flags & ~BPF_F_LOCK) > BPF_EXIST || flags & BPF_F_LOCK) return -E.EINVAL;
    if (readIndex(key, off) >= this.maxEntries) return -E.E2BIG;
    if (flags === BPF_NOEXIST) return -E.EEXIST; // every element exists
    return 0;
  }

  protected sysDelete(): number {
    return -E.EINVAL;
  }

  protected sysNextKey(key: Uint8Array | null, out: Uint8Array): number {
    return arrayNextKey(this.maxEntries, key, out);
  }

  override progLookup(key: Region, keyOff: number, cpu: number): number {
    const i = readIndex(key.bytes, keyOff);
    if (i >= this.maxEntries) return -1;
    return this.slab.offset(i, this.percpu ? cpu : 0);
  }

  override progLookupPercpu(key: Region, keyOff: number, cpu: number): number {
    if (!this.percpu || cpu >= this.cpus) return -1;
    const i = readIndex(key.bytes, keyOff);
    return i >= this.maxEntries ? -1 : this.slab.offset(i, cpu);
  }

  override progUpdate(key: Region, keyOff: number, val: Region, valOff: number, flags: number, cpu: number): number {
    const r = this.checkUpdate(key.bytes, keyOff, flags);
    if (r < 0) return r;
    const at = this.slab.offset(readIndex(key.bytes, keyOff), this.percpu ? cpu : 0);
    this.slab.bytes.set(val.bytes.subarray(valOff, valOff + this.valueSize), at);
    return 0;
  }

  override progDelete(): number {
    return -E.EINVAL;
  }

  /** bpf_for_each_map_elem order: index order; cb gets (index, value offset), returns true to stop. */
  forEach(cpu: number, cb: (index: number, valueOff: number) => boolean): number {
    let n = 0;
    for (let i = 0; i < this.maxEntries; i++) {
      n++;
      if (cb(i, this.slab.offset(i, this.percpu ? cpu : 0))) break;
    }
    return n;
  }
}
