// pcap-writer.ts: writes classic pcap (micro- or nanosecond magic, either byte order), the
// format every tool reads. Records longer than the snaplen are cut to it, keeping origLen.
//
//   const w = PcapWriter.create('out.pcap', { nanosecond: true });
//   w.write(frame, 1_700_000_000_123_456_789n); w.close();
import {
  MAXIMUM_SNAPLEN,
  NSEC_TCPDUMP_MAGIC,
  PCAP_FILE_HEADER_LEN,
  PCAP_RECORD_HEADER_LEN,
  PCAP_VERSION_MAJOR,
  PCAP_VERSION_MINOR,
  TCPDUMP_MAGIC,
} from './format.js';
import { CaptureOut, sinkFor } from './file-out.js';
import { LINKTYPE_ETHERNET } from './linktype.js';
import type { CaptureRecord } from './record.js';
import type { ByteSink } from './sink.js';

const NSEC_PER_SEC = 1_000_000_000n;

export interface PcapWriterOptions {
  /** LINKTYPE_* of every record (default Ethernet). */
  linkType?: number;
  /** Default MAXIMUM_SNAPLEN (262144), as tcpdump writes. */
  snaplen?: number;
  /** Nanosecond timestamps (magic 0xa1b23c4d) instead of microseconds. */
  nanosecond?: boolean;
  /** Write big-endian instead of the usual little-endian. */
  bigEndian?: boolean;
}

export class PcapWriter extends CaptureOut {
  readonly snaplen: number;
  private readonly le: boolean;
  private readonly nano: boolean;
  /** The second of the last write(): [secStart, secEnd) in ns, and as a number of seconds. */
  private sec = 0;
  private secStart = 0n;
  private secEnd = 0n;

  private constructor(sink: ByteSink, path: string | null, opts: PcapWriterOptions) {
    super(sink, path);
    this.le = !(opts.bigEndian ?? false);
    this.nano = opts.nanosecond ?? false;
    this.snaplen = opts.snaplen ?? MAXIMUM_SNAPLEN;
    sink.reserve(PCAP_FILE_HEADER_LEN);
    const dv = sink.dv;
    const p = sink.pos;
    dv.setUint32(p, this.nano ? NSEC_TCPDUMP_MAGIC : TCPDUMP_MAGIC, this.le);
    dv.setUint16(p + 4, PCAP_VERSION_MAJOR, this.le);
    dv.setUint16(p + 6, PCAP_VERSION_MINOR, this.le);
    dv.setInt32(p + 8, 0, this.le); // thiszone: always UTC
    dv.setUint32(p + 12, 0, this.le); // sigfigs
    dv.setUint32(p + 16, this.snaplen, this.le);
    dv.setUint32(p + 20, opts.linkType ?? LINKTYPE_ETHERNET, this.le);
    sink.pos += PCAP_FILE_HEADER_LEN;
  }

  static create(path: string, opts: PcapWriterOptions = {}): PcapWriter {
    return new PcapWriter(sinkFor(path), path, opts);
  }

  static memory(opts: PcapWriterOptions = {}): PcapWriter {
    return new PcapWriter(sinkFor(null), null, opts);
  }

  /** Appends one packet captured at `ts` nanoseconds since the epoch. */
  write(data: Uint8Array, ts: bigint, origLen = data.length): void {
    // Consecutive packets mostly fall in the same second: splitting against the cached second
    // is one BigInt subtraction instead of a division, a conversion, a multiply and a subtraction.
    if (ts < this.secStart || ts >= this.secEnd) {
      const sec = Number(ts / NSEC_PER_SEC);
      const start = BigInt(sec) * NSEC_PER_SEC;
      // before the epoch the division truncates towards zero: not a [start, start + 1 s) range
      if (ts < 0n) return this.writeParts(data, sec, Number(ts - start), origLen);
      this.sec = sec;
      this.secStart = start;
      this.secEnd = start + NSEC_PER_SEC;
    }
    this.writeParts(data, this.sec, Number(ts - this.secStart), origLen);
  }

  /** Appends one packet at `sec` seconds + `nsec` nanoseconds (no BigInt on the way). */
  writeParts(data: Uint8Array, sec: number, nsec: number, origLen = data.length): void {
    if (this.closed) throw this.writeAfterClose();
    const caplen = Math.min(data.length, this.snaplen);
    const sink = this.sink;
    sink.reserve(PCAP_RECORD_HEADER_LEN + caplen);
    const dv = sink.dv;
    const p = sink.pos;
    const le = this.le;
    dv.setUint32(p, sec, le);
    dv.setUint32(p + 4, this.nano ? nsec : Math.floor(nsec / 1000), le);
    dv.setUint32(p + 8, caplen, le);
    dv.setUint32(p + 12, Math.max(origLen, caplen), le);
    sink.buf.set(caplen === data.length ? data : data.subarray(0, caplen), p + PCAP_RECORD_HEADER_LEN);
    sink.pos = p + PCAP_RECORD_HEADER_LEN + caplen;
    this.count++;
  }

  /** Appends a record as read from a capture (its timestamp, bytes and original length). */
  writeRecord(rec: CaptureRecord): void {
    this.writeParts(rec.data, rec.tsSec, rec.tsNsec, rec.origLen);
  }
}
