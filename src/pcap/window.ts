// window.ts: a sliding byte window over a capture, from a file descriptor read in chunks
// (constant memory for any file size) or over one in-memory array. Bytes before `pos` may
// be discarded by the next ensure(), so views into `buf` last only until then.
//
//   buf: [ consumed | pos ... unread ... end | free ]      base = file offset of buf[0]
import { readSync } from 'node:fs';

export const DEFAULT_CHUNK_SIZE = 1 << 20;
/** A single record or block larger than this is treated as corruption, not buffered. */
export const MAX_RECORD_BYTES = 256 << 20;

export class ByteWindow {
  buf: Uint8Array;
  dv: DataView;
  pos = 0;
  end: number;
  /** File offset of buf[0]. */
  base = 0;
  private eof: boolean;

  constructor(
    private readonly fd: number | null,
    bytes: Uint8Array | null,
    chunkSize = DEFAULT_CHUNK_SIZE,
  ) {
    if (bytes !== null) {
      this.buf = bytes;
      this.end = bytes.length;
      this.eof = true;
    } else {
      this.buf = new Uint8Array(chunkSize);
      this.end = 0;
      this.eof = false;
    }
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** File offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Makes `n` bytes available from `pos`; returns how many are (fewer only at end of file). */
  ensure(n: number): number {
    const have = this.end - this.pos;
    if (have >= n || this.eof) return have;
    this.refill(n);
    return this.end - this.pos;
  }

  /** True when no byte is left and none can be read. */
  atEnd(): boolean {
    return this.ensure(1) === 0;
  }

  private refill(n: number): void {
    const fd = this.fd!;
    if (this.pos > 0) {
      this.buf.copyWithin(0, this.pos, this.end);
      this.base += this.pos;
      this.end -= this.pos;
      this.pos = 0;
    }
    if (n > this.buf.length) {
      const bigger = new Uint8Array(Math.max(n, this.buf.length * 2));
      bigger.set(this.buf.subarray(0, this.end));
      this.buf = bigger;
      this.dv = new DataView(bigger.buffer);
    }
    while (this.end < n) {
      const got = readSync(fd, this.buf, this.end, this.buf.length - this.end, null);
      if (got === 0) {
        this.eof = true;
        return;
      }
      this.end += got;
    }
  }
}
