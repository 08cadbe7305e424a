// bytes.ts: bounds-checked little-endian reads over a byte range of an object file.
// Every read checks its range first and throws SimError('EFORMAT') naming `where`; no
// RangeError from a DataView ever escapes the loader.
import { SimError } from '../../errors.js';

export class ByteView {
  private readonly dv: DataView;

  constructor(
    readonly bytes: Uint8Array,
    /** names the file and section for errors, e.g. `x.o: section .BTF` */
    readonly where: string,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Throws EFORMAT unless [off, off+len) lies inside the view. */
  check(off: number, len: number, what: string): void {
    if (!Number.isSafeInteger(off) || !Number.isSafeInteger(len) || off < 0 || len < 0 || off + len > this.bytes.length) {
      throw new SimError(
        'EFORMAT',
        `${this.where}: truncated: ${what} needs bytes [${off}, ${off + len}) but only ${this.bytes.length} are present`,
      );
    }
  }

  u8(off: number, what = 'u8'): number {
    this.check(off, 1, what);
    return this.dv.getUint8(off);
  }

  u16(off: number, what = 'u16'): number {
    this.check(off, 2, what);
    return this.dv.getUint16(off, true);
  }

  u32(off: number, what = 'u32'): number {
    this.check(off, 4, what);
    return this.dv.getUint32(off, true);
  }

  i32(off: number, what = 'i32'): number {
    this.check(off, 4, what);
    return this.dv.getInt32(off, true);
  }

  /** A u64 as a number; EFORMAT when it does not fit in 2^53 (no offset or size in a sane object does). */
  u64(off: number, what = 'u64'): number {
    this.check(off, 8, what);
    const lo = this.dv.getUint32(off, true);
    const hi = this.dv.getUint32(off + 4, true);
    if (hi >= 0x200000) {
      throw new SimError('EFORMAT', `${this.where}: ${what} at offset ${off} is too large (0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')})`);
    }
    return hi * 0x1_0000_0000 + lo;
  }

  /** A sub-view of [off, off+len), sharing the bytes. */
  slice(off: number, len: number, what: string, where = this.where): ByteView {
    this.check(off, len, what);
    return new ByteView(this.bytes.subarray(off, off + len), where);
  }

  /** NUL-terminated string at `off`; EFORMAT when it runs off the end. */
  cstring(off: number, what = 'string'): string {
    this.check(off, 0, what);
    const end = this.bytes.indexOf(0, off);
    if (end < 0) throw new SimError('EFORMAT', `${this.where}: ${what} at offset ${off} is not NUL-terminated`);
    return decodeCString(this.bytes.subarray(off, end));
  }
}

const decoder = new TextDecoder('utf-8');

/** UTF-8 text up to the first NUL (or the end of `b`). */
export function decodeCString(b: Uint8Array): string {
  const end = b.indexOf(0);
  return decoder.decode(end < 0 ? b : b.subarray(0, end));
}
