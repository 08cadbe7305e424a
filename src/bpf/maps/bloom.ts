// bloom.ts: BPF_MAP_TYPE_BLOOM_FILTER (kernel/bpf/bloom_filter.c): no keys; push adds a value,
// peek answers "maybe present" (0) or "surely absent" (-ENOENT). Sized like the kernel
// (bits = roundup_pow_of_two(max_entries * nr_hashes * 7 / 5), at least 64) and hashed with
// jhash(value, value_size, seed + i), seed 0 as with BPF_F_ZERO_SEED (the kernel's default seed
// is random, so its false positives differ from ours unless it was created with ZERO_SEED).
import type { Region } from '../memory.js';
import { BPF_ANY } from '../spec.js';
import { jhash } from './jhash.js';
import { roundupPow2 } from './hash.js';
import { BpfMap, E, type LookupKind, type MapAttrs, type MapEnv } from './map.js';

export const BLOOM_DEFAULT_HASHES = 5;

export class BloomFilterMap extends BpfMap {
  override readonly lookupKind: LookupKind = 'none';
  readonly nrHashes: number;
  private readonly bits: Uint8Array;
  private readonly bitMask: number;

  constructor(attrs: MapAttrs, env: MapEnv) {
    super(attrs, env);
    this.nrHashes = (attrs.mapExtra ?? 0) & 0xf || BLOOM_DEFAULT_HASHES;
    let nrBits = Math.floor((this.maxEntries * this.nrHashes) / 5) * 7;
    if (nrBits > 2 ** 31) nrBits = 2 ** 31;
    nrBits = nrBits <= 64 ? 64 : roundupPow2(nrBits);
    this.bits = new Uint8Array(nrBits / 8);
    this.bitMask = nrBits - 1;
  }

  private hash(v: Uint8Array, off: number, i: number): number {
    return jhash(v, off, this.valueSize, i) & this.bitMask;
  }

  private push(v: Uint8Array, off: number, flags: number): number {
    if (flags !== BPF_ANY) return -E.EINVAL;
    for (let i = 0; i < this.nrHashes; i++) {
      const h = this.hash(v, off, i);
      this.bits[h >>> 3] |= 1 << (h & 7);
    }
    return 0;
  }

  private peek(v: Uint8Array, off: number): number {
    for (let i = 0; i < this.nrHashes; i++) {
      const h = this.hash(v, off, i);
      if ((this.bits[h >>> 3] & (1 << (h & 7))) === 0) return -E.ENOENT;
    }
    return 0;
  }

  /** Syscall lookup: `out` holds the probed value (pass it as lookup's `probe`). */
  protected sysLookup(_key: Uint8Array, out: Uint8Array): number {
    return this.peek(out, 0);
  }
  protected sysUpdate(_key: Uint8Array, value: Uint8Array, flags: number): number {
    return this.push(value, 0, flags);
  }
  protected sysDelete(): number {
    return -E.EOPNOTSUPP;
  }
  protected sysNextKey(): number {
    return -E.EOPNOTSUPP;
  }
  override entries(): { key: Uint8Array; value: Uint8Array }[] {
    return [];
  }

  override progPush(val: Region, valOff: number, flags: number): number {
    return this.push(val.bytes, valOff, flags);
  }
  override progPeek(val: Region, valOff: number): number {
    return this.peek(val.bytes, valOff);
  }
}
