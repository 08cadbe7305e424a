// queue-stack.ts: BPF_MAP_TYPE_QUEUE (FIFO) and STACK (LIFO) (kernel/bpf/queue_stack_maps.c):
// a ring of max_entries + 1 values, no keys. Push with BPF_EXIST on a full map drops the oldest
// element (for both kinds); programs push/pop/peek with helpers 87/88/89, the syscall side uses
// update (push), lookup (peek) and lookup_and_delete (pop).
//
//   [ . . tail=oldest x x x head=next free . . ]   queue pops at tail, stack pops at head-1
import type { Region } from '../memory.js';
import { BPF_EXIST, BPF_MAP_TYPE, BPF_NOEXIST } from '../spec.js';
import { BpfMap, E, type LookupKind, type MapAttrs, type MapEnv } from './map.js';

export class QueueStackMap extends BpfMap {
  override readonly lookupKind: LookupKind = 'none';
  readonly isStack: boolean;
  private readonly ring: Uint8Array;
  private readonly size: number;
  private head = 0;
  private tail = 0;

  constructor(attrs: MapAttrs, env: MapEnv) {
    super(attrs, env);
    this.isStack = attrs.type === BPF_MAP_TYPE.STACK;
    this.size = this.maxEntries + 1;
    this.ring = new Uint8Array(this.size * this.valueSize);
  }

  get length(): number {
    return (this.head - this.tail + this.size) % this.size;
  }

  private push(src: Uint8Array, off: number, flags: number): number {
    if (flags & BPF_NOEXIST || flags > BPF_EXIST) return -E.EINVAL;
    if ((this.head + 1) % this.size === this.tail) {
      if (!(flags & BPF_EXIST)) return -E.E2BIG;
      this.tail = (this.tail + 1) % this.size; // overwrite the oldest
    }
    this.ring.set(src.subarray(off, off + this.valueSize), this.head * this.valueSize);
    this.head = (this.head + 1) % this.size;
    return 0;
  }

  private take(dst: Uint8Array, off: number, remove: boolean): number {
    if (this.head === this.tail) return -E.ENOENT;
    let i: number;
    if (this.isStack) {
      i = (this.head - 1 + this.size) % this.size;
      if (remove) this.head = i;
    } else {
      i = this.tail;
      if (remove) this.tail = (this.tail + 1) % this.size;
    }
    dst.set(this.ring.subarray(i * this.valueSize, (i + 1) * this.valueSize), off);
    return 0;
  }

  protected sysLookup(_key: Uint8Array, out: Uint8Array): number {
    return this.take(out, 0, false);
  }
  protected sysUpdate(_key: Uint8Array, value: Uint8Array, flags: number): number {
    return this.push(value, 0, flags);
  }
  protected sysDelete(): number {
    return -E.EINVAL;
  }
  protected sysNextKey(): number {
    return -E.EINVAL;
  }
  protected override sysLookupAndDelete(_key: Uint8Array, out: Uint8Array): number {
    return this.take(out, 0, true);
  }

  override entries(): { key: Uint8Array; value: Uint8Array }[] {
    const out: { key: Uint8Array; value: Uint8Array }[] = [];
    for (let n = 0, i = this.tail; n < this.length; n++, i = (i + 1) % this.size) {
      out.push({ key: new Uint8Array(0), value: this.ring.slice(i * this.valueSize, (i + 1) * this.valueSize) });
    }
    return out;
  }

  override progPush(val: Region, valOff: number, flags: number): number {
    return this.push(val.bytes, valOff, flags);
  }
  override progPop(dst: Region, dstOff: number): number {
    return this.take(dst.bytes, dstOff, true);
  }
  override progPeek(dst: Region, dstOff: number): number {
    return this.take(dst.bytes, dstOff, false);
  }
}
