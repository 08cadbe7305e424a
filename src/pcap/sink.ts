// sink.ts: buffered output for capture writers: bytes gather in one reusable buffer and go
// to a file descriptor (writeSync) when it fills, or to a list of chunks held in memory.
import { closeSync, writeSync } from 'node:fs';

const SINK_BUFFER_SIZE = 1 << 20;

export class ByteSink {
  buf: Uint8Array;
  dv: DataView;
  pos = 0;
  /** Bytes handed to the file or chunk list so far. */
  flushed = 0;
  private readonly chunks: Uint8Array[] = [];

  constructor(
    private fd: number | null,
    size = SINK_BUFFER_SIZE,
  ) {
    this.buf = new Uint8Array(size);
    this.dv = new DataView(this.buf.buffer);
  }

  /** Total bytes written (flushed plus buffered). */
  get length(): number {
    return this.flushed + this.pos;
  }

  /** Makes room for `n` contiguous bytes at `pos`. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) {
      this.buf = new Uint8Array(n);
      this.dv = new DataView(this.buf.buffer);
    }
  }

  flush(): void {
    if (this.pos === 0) return;
    if (this.fd === null) {
      this.chunks.push(this.buf.slice(0, this.pos));
    } else {
      let off = 0;
      while (off < this.pos) off += writeSync(this.fd, this.buf, off, this.pos - off);
    }
    this.flushed += this.pos;
    this.pos = 0;
  }

  /** Everything written so far, as one array (memory sinks only). */
  bytes(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.flushed);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }

  close(): void {
    this.flush();
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}
