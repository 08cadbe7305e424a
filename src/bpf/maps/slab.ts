// slab.ts: the storage programs point into. One Region per map, `stride` = round_up(value_size, 8)
// per element and CPU, `elemSize` = value_size, so a value pointer cannot reach its neighbour.
//
//   slot 0: [cpu0 value|pad][cpu1 value|pad] ...  slot 1: [cpu0 ...] ...   (cpus = 1 unless per-CPU)
//
// Freed slots are not reused at once: a slot freed by a program waits in `pending` until
// quiesce() (our RCU grace period: the end of the program run, or any syscall-side operation),
// so a pointer a program still holds reads the stale value, as under the kernel's RCU, and
// never another key's value. When no slot is free the slab grows; the region keeps its tag.
import { SimError } from '../../errors.js';
import { Region, type Memory } from '../memory.js';

/** round_up(n, 8) for any size a map attribute can hold (no 32-bit bit operations). */
export function roundUp8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/**
 * The most storage one map may take in tcxsim (1 GiB). The kernel's bound is the memory it can
 * allocate (a failed bpf_map_area_alloc is ENOMEM); ours is what a Node process can hold.
 */
export const MAX_SLAB_BYTES = 2 ** 30;

/** A zeroed value slab of `bytes`, or ENOMEM as a failed bpf_map_area_alloc gives. */
export function allocSlab(name: string, bytes: number): Uint8Array {
  if (bytes > MAX_SLAB_BYTES) {
    throw new SimError('ENOMEM', `map ${name}: ${bytes} bytes of values is more than tcxsim allocates for one map (${MAX_SLAB_BYTES})`);
  }
  return new Uint8Array(bytes);
}

export class ValueSlab {
  readonly tag: number;
  readonly stride: number;
  bytes: Uint8Array;
  capacity: number;
  private free: Int32Array;
  private freeTop = 0;
  private pending: number[] = [];
  private nextFresh = 0;

  constructor(
    private readonly memory: Memory,
    readonly name: string,
    readonly valueSize: number,
    readonly cpus: number,
    initialCapacity: number,
    readonly writable: boolean,
  ) {
    this.stride = roundUp8(valueSize);
    this.capacity = Math.max(1, initialCapacity);
    this.bytes = allocSlab(name, this.capacity * this.cpus * this.stride);
    this.free = new Int32Array(this.capacity);
    this.tag = memory.addStatic(this.makeRegion());
  }

  private makeRegion(): Region {
    return new Region(this.name, this.bytes, this.writable, this.stride, this.valueSize);
  }

  /** Byte offset of `slot`'s copy for `cpu` in the region. */
  offset(slot: number, cpu = 0): number {
    return (slot * this.cpus + cpu) * this.stride;
  }

  /** A slot whose bytes are zero-filled; grows the slab when nothing is free. */
  alloc(): number {
    let slot: number;
    if (this.freeTop > 0) slot = this.free[--this.freeTop];
    else {
      if (this.nextFresh === this.capacity) this.grow(this.capacity * 2);
      slot = this.nextFresh++;
    }
    const at = this.offset(slot);
    this.bytes.fill(0, at, at + this.cpus * this.stride);
    return slot;
  }

  /** Returns a slot; `deferred` (freed by a program) keeps it unusable until quiesce(). */
  release(slot: number, deferred: boolean): void {
    if (deferred) this.pending.push(slot);
    else this.pushFree(slot);
  }

  /** End of an RCU read section: slots freed by programs become reusable. */
  quiesce(): void {
    const p = this.pending;
    for (let i = 0; i < p.length; i++) this.pushFree(p[i]);
    p.length = 0;
  }

  private pushFree(slot: number): void {
    if (this.freeTop === this.free.length) {
      const f = new Int32Array(this.free.length * 2);
      f.set(this.free);
      this.free = f;
    }
    this.free[this.freeTop++] = slot;
  }

  /** Grows to at least `capacity` slots; pointers keep working (same tag, same offsets). */
  grow(capacity: number): void {
    if (capacity <= this.capacity) return;
    const bytes = allocSlab(this.name, capacity * this.cpus * this.stride);
    bytes.set(this.bytes);
    this.bytes = bytes;
    this.capacity = capacity;
    this.memory.set(this.tag, this.makeRegion());
    this.onGrow?.(capacity);
  }

  /** Set by the owner to grow its parallel arrays (keys, links) with the slab. */
  onGrow: ((capacity: number) => void) | null = null;
}
