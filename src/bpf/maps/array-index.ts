// array-index.ts: what every array map shares (kernel/bpf/arraymap.c): the key is a u32 index
// in host (little-endian) order, and array_map_get_next_key walks 0, 1, ..., max_entries - 1.
import { ERRNO } from '../../errors.js';

export function readIndex(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}

/** array_map_get_next_key: no key or one out of range starts at 0; the last index is -ENOENT. */
export function arrayNextKey(maxEntries: number, key: Uint8Array | null, out: Uint8Array): number {
  const i = key === null ? maxEntries : readIndex(key, 0);
  let next: number;
  if (i >= maxEntries) next = 0;
  else if (i === maxEntries - 1) return -ERRNO.ENOENT;
  else next = i + 1;
  new DataView(out.buffer, out.byteOffset, 4).setUint32(0, next, true);
  return 0;
}
