// ringbuf.ts: BPF_MAP_TYPE_RINGBUF (kernel/bpf/ringbuf.c). Programs reserve a record, fill it
// through the pointer they get and submit or discard it; ringbuf_output copies in one step.
// Each record is an 8-byte header { u32 len | BUSY | DISCARD; u32 pg_off } and the sample,
// rounded up to 8 bytes. Positions grow forever and wrap by `mask`; the data region is twice
// the ring (the kernel maps the data pages twice) so a record is contiguous across the wrap.
// The user side is consume(): committed samples in order, discarded ones skipped.
import { Region } from '../memory.js';
import { BpfMap, E, type LookupKind, type MapAttrs, type MapEnv } from './map.js';

export const BPF_RINGBUF_BUSY_BIT = 2 ** 31;
export const BPF_RINGBUF_DISCARD_BIT = 2 ** 30;
export const BPF_RINGBUF_HDR_SZ = 8;
/**
 * A header's pg_off: the page of the header counted from the start of struct bpf_ringbuf, whose
 * data pages begin at page 3 (the kernel finds the ring from a sample with it; measured on 6.18).
 */
const RINGBUF_DATA_PGOFF = 3;
const PAGE_SHIFT = 12;
export const BPF_RB_NO_WAKEUP = 1;
export const BPF_RB_FORCE_WAKEUP = 2;
export const BPF_RB_AVAIL_DATA = 0;
export const BPF_RB_RING_SIZE = 1;
export const BPF_RB_CONS_POS = 2;
export const BPF_RB_PROD_POS = 3;

export class RingBufMap extends BpfMap {
  override readonly lookupKind: LookupKind = 'none';
  readonly data: Uint8Array;
  private readonly view: DataView;
  private readonly mask: number;
  consumerPos = 0;
  producerPos = 0;
  private pendingPos = 0;

  constructor(attrs: MapAttrs, env: MapEnv) {
    super(attrs, env);
    this.mask = this.maxEntries - 1;
    this.data = new Uint8Array(this.maxEntries * 2);
    this.view = new DataView(this.data.buffer);
    this.valueTag = env.memory.addStatic(new Region(`ringbuf ${this.describe()}`, this.data, true));
  }

  /** bpf_ringbuf_reserve: the sample's offset in the data region, or -1 (NULL). */
  reserve(size: number, flags: number): number {
    if (flags !== 0 || size > 0x3fffffff) return -1;
    const len = (size + BPF_RINGBUF_HDR_SZ + 7) & ~7;
    if (len > this.maxEntries) return -1;
    let pend = this.pendingPos;
    while (pend < this.producerPos) {
      const hdrLen = this.view.getUint32(pend & this.mask, true);
      if (hdrLen & BPF_RINGBUF_BUSY_BIT) break;
      pend += ((hdrLen & ~BPF_RINGBUF_DISCARD_BIT) + BPF_RINGBUF_HDR_SZ + 7) & ~7;
    }
    this.pendingPos = pend;
    const next = this.producerPos + len;
    if (next - this.consumerPos > this.mask || next - pend > this.mask) return -1;
    const at = this.producerPos & this.mask;
    this.view.setUint32(at, (size | BPF_RINGBUF_BUSY_BIT) >>> 0, true);
    this.view.setUint32(at + 4, RINGBUF_DATA_PGOFF + (at >>> PAGE_SHIFT), true);
    this.producerPos = next;
    return at + BPF_RINGBUF_HDR_SZ;
  }

  /** bpf_ringbuf_submit / bpf_ringbuf_discard, given the sample offset reserve() returned. */
  commit(sampleOff: number, discard: boolean): void {
    const at = sampleOff - BPF_RINGBUF_HDR_SZ;
    let len = this.view.getUint32(at, true) & ~BPF_RINGBUF_BUSY_BIT;
    // the kernel maps the data pages twice: what the sample wrote past the end is at the start
    const end = sampleOff + len;
    if (end > this.maxEntries) this.data.copyWithin(0, this.maxEntries, end);
    if (discard) len = (len | BPF_RINGBUF_DISCARD_BIT) >>> 0;
    this.view.setUint32(at, len >>> 0, true);
  }

  /** bpf_ringbuf_output: 0, -EINVAL (flags), -EAGAIN (no room). */
  output(src: Uint8Array, off: number, size: number, flags: number): number {
    if (flags & ~(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)) return -E.EINVAL;
    const at = this.reserve(size, 0);
    if (at < 0) return -E.EAGAIN;
    this.data.set(src.subarray(off, off + size), at);
    this.commit(at, false);
    return 0;
  }

  /** bpf_ringbuf_query. */
  query(flags: number): number {
    switch (flags) {
      case BPF_RB_AVAIL_DATA:
        return this.producerPos - this.consumerPos;
      case BPF_RB_RING_SIZE:
        return this.maxEntries;
      case BPF_RB_CONS_POS:
        return this.consumerPos;
      case BPF_RB_PROD_POS:
        return this.producerPos;
      default:
        return 0;
    }
  }

  /** The user-space consumer (ring_buffer__consume): committed samples in order. */
  consume(): Uint8Array[] {
    const out: Uint8Array[] = [];
    while (this.consumerPos < this.producerPos) {
      const at = this.consumerPos & this.mask;
      const hdr = this.view.getUint32(at, true);
      if (hdr & BPF_RINGBUF_BUSY_BIT) break;
      const size = hdr & ~BPF_RINGBUF_DISCARD_BIT;
      if (!(hdr & BPF_RINGBUF_DISCARD_BIT)) out.push(this.data.slice(at + BPF_RINGBUF_HDR_SZ, at + BPF_RINGBUF_HDR_SZ + size));
      this.consumerPos += (size + BPF_RINGBUF_HDR_SZ + 7) & ~7;
    }
    return out;
  }

  protected sysLookup(): number {
    return -E.ENOTSUPP;
  }
  protected sysUpdate(): number {
    return -E.ENOTSUPP;
  }
  protected sysDelete(): number {
    return -E.ENOTSUPP;
  }
  protected sysNextKey(): number {
    return -E.ENOTSUPP;
  }
}
