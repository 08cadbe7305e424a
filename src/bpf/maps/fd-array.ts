// fd-array.ts: arrays whose values are references, not bytes (kernel/bpf/arraymap.c fd_array):
// PROG_ARRAY (tail-call targets), ARRAY_OF_MAPS and PERF_EVENT_ARRAY. The syscall side takes
// ids where the kernel takes fds, and lookups return ids as the kernel does; updates take
// BPF_ANY only; programs cannot update them. Slots hold an id, 0 when empty.
import { BPF_ANY, BPF_MAP_TYPE } from '../spec.js';
import type { Region } from '../memory.js';
import { arrayNextKey, readIndex } from './array-index.js';
import { BpfMap, E, type LookupKind, type MapAttrs, type MapEnv, type MapProgRef } from './map.js';
import { innerMapCompatible } from './meta.js';

export class FdArrayMap extends BpfMap {
  override readonly lookupKind: LookupKind;
  readonly slots: Uint32Array;
  /** prog arrays: the owner program type, set by the first compatible() call (bpf_prog_map_compatible). */
  ownerType: number | null = null;

  constructor(
    attrs: MapAttrs,
    private readonly env: MapEnv,
    private readonly innerMeta: MapAttrs | null = null,
  ) {
    super(attrs, env);
    this.slots = new Uint32Array(this.maxEntries);
    this.lookupKind = attrs.type === BPF_MAP_TYPE.ARRAY_OF_MAPS ? 'map' : 'none';
  }

  /**
   * Owner check hook for the loader and for inserts: the first program (loaded with this map, or
   * inserted) fixes the owner type; later ones must match (the kernel also compares jited,
   * xdp_has_frags and attach type).
   */
  compatible(prog: MapProgRef): boolean {
    if (this.ownerType === null) {
      this.ownerType = prog.type;
      return true;
    }
    return this.ownerType === prog.type;
  }

  /** Tail calls: the program id in slot `index`, 0 when empty or out of range. */
  progAt(index: number): number {
    return index >>> 0 < this.maxEntries ? this.slots[index >>> 0] : 0;
  }

  protected sysLookup(key: Uint8Array, out: Uint8Array): number {
    if (this.type === BPF_MAP_TYPE.PERF_EVENT_ARRAY) return -E.ENOTSUPP;
    const i = readIndex(key, 0);
    if (i >= this.maxEntries || this.slots[i] === 0) return -E.ENOENT;
    new DataView(out.buffer, out.byteOffset, 4).setUint32(0, this.slots[i], true);
    return 0;
  }

  protected sysUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (flags !== BPF_ANY) return -E.EINVAL;
    const i = readIndex(key, 0);
    if (i >= this.maxEntries) return -E.E2BIG;
    const id = new DataView(value.buffer, value.byteOffset, 4).getUint32(0, true);
    if (this.type === BPF_MAP_TYPE.PROG_ARRAY) {
      const prog = this.env.progById?.(id);
      if (!prog) return -E.EBADF;
      if (!this.compatible(prog)) return -E.EINVAL;
    } else if (this.type === BPF_MAP_TYPE.ARRAY_OF_MAPS) {
      const m = this.env.mapById?.(id);
      if (!m) return -E.EBADF;
      if (this.innerMeta && !innerMapCompatible(this.innerMeta, m)) return -E.EINVAL;
    } else return -E.EBADF; // perf_event_array: no perf event fds in the simulator
    this.slots[i] = id;
    return 0;
  }

  /** Sets a slot without the syscall checks (loader static init); 0 clears it. */
  setSlot(index: number, id: number): void {
    this.slots[index] = id;
  }

  protected sysDelete(key: Uint8Array): number {
    const i = readIndex(key, 0);
    if (i >= this.maxEntries) return -E.E2BIG;
    if (this.slots[i] === 0) return -E.ENOENT;
    this.slots[i] = 0;
    return 0;
  }

  protected sysNextKey(key: Uint8Array | null, out: Uint8Array): number {
    return arrayNextKey(this.maxEntries, key, out);
  }

  override entries(): { key: Uint8Array; value: Uint8Array }[] {
    if (this.type === BPF_MAP_TYPE.PERF_EVENT_ARRAY) return [];
    return super.entries();
  }

  /** array_of_maps lookup from a program: the inner map's id, or -1. */
  override progLookup(key: Region, keyOff: number): number {
    if (this.type !== BPF_MAP_TYPE.ARRAY_OF_MAPS) return -1;
    const i = readIndex(key.bytes, keyOff);
    if (i >= this.maxEntries || this.slots[i] === 0) return -1;
    return this.slots[i];
  }
}
