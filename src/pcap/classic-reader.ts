// classic-reader.ts: record-by-record decoding of classic pcap (24-byte file header, 16-byte
// record headers) in either byte order and with micro- or nanosecond timestamps. Mirrors the
// checks of libpcap's sf-pcap.c: a caplen above both the snaplen and MAXIMUM_SNAPLEN is corrupt.
import type { ByteWindow } from './window.js';
import { MAX_RECORD_BYTES } from './window.js';
import type { PcapRecord } from './record.js';
import {
  LT_LINKTYPE_MASK,
  MAXIMUM_SNAPLEN,
  NSEC_TCPDUMP_MAGIC,
  NSEC_TCPDUMP_MAGIC_SWAPPED,
  PCAP_FILE_HEADER_LEN,
  PCAP_RECORD_HEADER_LEN,
  TCPDUMP_MAGIC_SWAPPED,
} from './format.js';
import type { FormatParser, LinkTypeCheck, FormatErrorFn } from './parser.js';

export class ClassicPcapParser implements FormatParser {
  readonly format = 'pcap';
  readonly littleEndian: boolean;
  readonly nanosecond: boolean;
  readonly linkType: number;
  readonly snaplen: number;
  readonly versionMajor: number;
  readonly versionMinor: number;
  private readonly maxCaplen: number;
  private readonly fracToNsec: number;

  constructor(w: ByteWindow, magicBE: number, checkLinkType: LinkTypeCheck, private readonly fail: FormatErrorFn) {
    const have = w.ensure(PCAP_FILE_HEADER_LEN);
    if (have < PCAP_FILE_HEADER_LEN) throw fail(0, `truncated pcap file header: ${have} of ${PCAP_FILE_HEADER_LEN} bytes`);
    this.littleEndian = magicBE === TCPDUMP_MAGIC_SWAPPED || magicBE === NSEC_TCPDUMP_MAGIC_SWAPPED;
    this.nanosecond = magicBE === NSEC_TCPDUMP_MAGIC || magicBE === NSEC_TCPDUMP_MAGIC_SWAPPED;
    this.fracToNsec = this.nanosecond ? 1 : 1000;
    const dv = w.dv;
    const p = w.pos;
    const le = this.littleEndian;
    this.versionMajor = dv.getUint16(p + 4, le);
    this.versionMinor = dv.getUint16(p + 6, le);
    this.snaplen = dv.getUint32(p + 16, le);
    this.linkType = dv.getUint32(p + 20, le) & LT_LINKTYPE_MASK;
    // libpcap accepts only major version 2 (and 543, a long-gone variant): anything else is not a pcap we can trust.
    if (this.versionMajor !== 2) throw fail(4, `unsupported pcap version ${this.versionMajor}.${this.versionMinor} (want 2.4)`);
    checkLinkType(this.linkType, 20);
    this.maxCaplen = Math.min(MAX_RECORD_BYTES, Math.max(this.snaplen, MAXIMUM_SNAPLEN));
    w.pos += PCAP_FILE_HEADER_LEN;
  }

  next(w: ByteWindow, rec: PcapRecord): boolean {
    const have = w.ensure(PCAP_RECORD_HEADER_LEN);
    if (have < PCAP_RECORD_HEADER_LEN) {
      if (have === 0) return false;
      throw this.fail(w.offset, `truncated record header: ${have} of ${PCAP_RECORD_HEADER_LEN} bytes`);
    }
    let p = w.pos;
    let dv = w.dv;
    const le = this.littleEndian;
    const caplen = dv.getUint32(p + 8, le);
    if (caplen > this.maxCaplen) {
      throw this.fail(w.offset, `invalid record caplen ${caplen}, bigger than snaplen ${this.snaplen}`);
    }
    const size = PCAP_RECORD_HEADER_LEN + caplen;
    if (w.end - p < size) {
      const avail = w.ensure(size);
      if (avail < size) {
        throw this.fail(w.offset, `truncated record: caplen ${caplen}, only ${avail - PCAP_RECORD_HEADER_LEN} bytes of data left`);
      }
      p = w.pos;
      dv = w.dv;
    }
    let sec = dv.getUint32(p, le);
    let nsec = dv.getUint32(p + 4, le) * this.fracToNsec;
    if (nsec >= 1_000_000_000) {
      // Out-of-range fractions occur in the wild; carry them into seconds as tcpdump's arithmetic would.
      sec += Math.floor(nsec / 1_000_000_000);
      nsec %= 1_000_000_000;
    }
    rec.tsSec = sec;
    rec.tsNsec = nsec;
    rec.origLen = dv.getUint32(p + 12, le);
    rec.linkType = this.linkType;
    rec.interfaceIndex = 0;
    rec.setData(w.buf, p + PCAP_RECORD_HEADER_LEN, caplen);
    w.pos = p + size;
    return true;
  }
}
