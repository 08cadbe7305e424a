// record.ts: one packet as read from a capture. The reader reuses a single PcapRecord and
// its `data` view for every packet (no allocation per record beyond the view): both are
// valid only until the next call to next(); pass `{ copy: true }` to the reader, or call
// record.clone(), to keep one.

export interface CaptureRecord {
  /** Capture time in nanoseconds since the Unix epoch. */
  readonly ts: bigint;
  /** The same time as whole seconds plus nanoseconds (numbers; cheap to read). */
  readonly tsSec: number;
  readonly tsNsec: number;
  /** Bytes present in `data` (the capture length). */
  readonly caplen: number;
  /** Length of the packet on the wire (>= caplen when the capture was snapped). */
  readonly origLen: number;
  /** LINKTYPE_* of the interface the packet was captured on. */
  readonly linkType: number;
  readonly data: Uint8Array;
  /** pcapng interface index within its section; 0 for classic pcap. */
  readonly interfaceIndex: number;
}

export class PcapRecord implements CaptureRecord {
  tsSec = 0;
  tsNsec = 0;
  caplen = 0;
  origLen = 0;
  linkType = 0;
  interfaceIndex = 0;
  /** The buffer `data` lives in and where; lets a consumer copy without creating a view. */
  buffer: Uint8Array = EMPTY;
  dataOffset = 0;
  private view: Uint8Array | null = null;

  get ts(): bigint {
    return BigInt(this.tsSec) * 1_000_000_000n + BigInt(this.tsNsec);
  }

  /** A view into the reader's buffer, created on first access for this record. */
  get data(): Uint8Array {
    if (this.view === null) this.view = this.buffer.subarray(this.dataOffset, this.dataOffset + this.caplen);
    return this.view;
  }

  /** Called by readers: point at new bytes and forget the previous view. */
  setData(buffer: Uint8Array, offset: number, caplen: number): void {
    this.buffer = buffer;
    this.dataOffset = offset;
    this.caplen = caplen;
    this.view = null;
  }

  /** Copies the packet bytes into `dst` at `at` and returns the number of bytes copied. */
  copyTo(dst: Uint8Array, at = 0): number {
    const n = Math.min(this.caplen, dst.length - at);
    const src = this.buffer;
    const o = this.dataOffset;
    // Short frames: a byte loop beats creating a view (~60 ns, spec/performance-notes.md).
    if (n <= 128) for (let i = 0; i < n; i++) dst[at + i] = src[o + i]!;
    else dst.set(src.subarray(o, o + n), at);
    return n;
  }

  /** An independent record with its own copy of the bytes. */
  clone(): PcapRecord {
    const r = new PcapRecord();
    r.tsSec = this.tsSec;
    r.tsNsec = this.tsNsec;
    r.origLen = this.origLen;
    r.linkType = this.linkType;
    r.interfaceIndex = this.interfaceIndex;
    r.setData(this.data.slice(), 0, this.caplen);
    return r;
  }

  toJSON(): object {
    return {
      ts: this.ts.toString(),
      caplen: this.caplen,
      origLen: this.origLen,
      linkType: this.linkType,
      interfaceIndex: this.interfaceIndex,
    };
  }
}

const EMPTY = new Uint8Array(0);
