// pcapng-reader.ts: block-by-block decoding of pcapng: sections (SHB, either byte order, any
// number of them), interfaces (IDB with link type, snaplen, if_tsresol, if_tsoffset) and
// packets (EPB, SPB, obsolete PB); every other block type is skipped by its length.
import type { ByteWindow } from './window.js';
import { MAX_RECORD_BYTES } from './window.js';
import type { PcapRecord } from './record.js';
import {
  BLOCK_HEADER_LEN,
  BT_EPB,
  BT_IDB,
  BT_PB,
  BT_SHB,
  BT_SPB,
  BYTE_ORDER_MAGIC,
  BYTE_ORDER_MAGIC_SWAPPED,
  EPB_MIN_LEN,
  IDB_MIN_LEN,
  IF_NAME,
  IF_TSOFFSET,
  IF_TSRESOL,
  OPT_ENDOFOPT,
  PB_MIN_LEN,
  SHB_MIN_LEN,
  SPB_MIN_LEN,
  blockName,
  hex32,
} from './format.js';
import type { FormatErrorFn, FormatParser, LinkTypeCheck } from './parser.js';
import { setTicks, unitsForTsresol } from './timestamp.js';

export interface PcapngInterface {
  linkType: number;
  snaplen: number;
  name: string | undefined;
  /** Raw if_tsresol byte (6 = microseconds when absent). */
  tsresol: number;
  /** Timestamp units per second, as a number and exactly as a bigint. */
  unitsPerSec: number;
  unitsPerSecBig: bigint;
  /** if_tsoffset: seconds added to every timestamp. */
  tsOffsetSec: number;
}

export class PcapngParser implements FormatParser {
  readonly format = 'pcapng';
  littleEndian = true;
  /** Interfaces of the current section; indices restart at 0 in every section. */
  interfaces: PcapngInterface[] = [];
  sections = 0;

  constructor(
    private readonly checkLinkType: LinkTypeCheck,
    private readonly fail: FormatErrorFn,
  ) {}

  next(w: ByteWindow, rec: PcapRecord): boolean {
    for (;;) {
      const start = w.offset;
      const have = w.ensure(BLOCK_HEADER_LEN);
      if (have < BLOCK_HEADER_LEN) {
        if (have === 0) return false;
        throw this.fail(start, `truncated block header: ${have} of ${BLOCK_HEADER_LEN} bytes`);
      }
      let p = w.pos;
      const type = w.dv.getUint32(p, this.littleEndian);
      if (type === BT_SHB) {
        // The section's byte order is only known from the magic after the length field.
        if (w.ensure(12) < 12) throw this.fail(start, `truncated section header block`);
        p = w.pos;
        const magic = w.dv.getUint32(p + 8, true);
        if (magic === BYTE_ORDER_MAGIC) this.littleEndian = true;
        else if (magic === BYTE_ORDER_MAGIC_SWAPPED) this.littleEndian = false;
        else throw this.fail(start + 8, `bad section byte-order magic ${hex32(magic)}`);
      } else if (this.sections === 0) {
        throw this.fail(start, `pcapng file does not start with a section header block`);
      }
      const le = this.littleEndian;
      const len = w.dv.getUint32(p + 4, le);
      if (len < 12 || len % 4 !== 0 || len > MAX_RECORD_BYTES) {
        throw this.fail(start, `${blockName(type)} block has invalid total length ${len}`);
      }
      if (w.end - p < len) {
        const avail = w.ensure(len);
        if (avail < len) throw this.fail(start, `truncated ${blockName(type)} block: length ${len}, only ${avail} bytes left`);
        p = w.pos;
      }
      const dv = w.dv;
      const trailer = dv.getUint32(p + len - 4, le);
      if (trailer !== len) {
        throw this.fail(start + len - 4, `${blockName(type)} block trailing length ${trailer} does not match leading length ${len}`);
      }
      switch (type) {
        case BT_SHB:
          this.readSectionHeader(w, p, len, start);
          break;
        case BT_IDB:
          this.readInterface(w, p, len, start);
          break;
        case BT_EPB:
        case BT_PB: {
          if (len < (type === BT_EPB ? EPB_MIN_LEN : PB_MIN_LEN)) throw this.fail(start, `${blockName(type)} block too short (${len} bytes)`);
          const ifIndex = type === BT_EPB ? dv.getUint32(p + 8, le) : dv.getUint16(p + 8, le);
          const iface = this.iface(ifIndex, start);
          const caplen = dv.getUint32(p + 20, le);
          if (28 + caplen > len - 4) {
            throw this.fail(start, `${blockName(type)} captured length ${caplen} overruns its block of ${len} bytes`);
          }
          setTicks(rec, dv.getUint32(p + 12, le), dv.getUint32(p + 16, le), iface);
          rec.origLen = dv.getUint32(p + 24, le);
          rec.linkType = iface.linkType;
          rec.interfaceIndex = ifIndex;
          rec.setData(w.buf, p + 28, caplen);
          w.pos = p + len;
          return true;
        }
        case BT_SPB: {
          if (len < SPB_MIN_LEN) throw this.fail(start, `SPB block too short (${len} bytes)`);
          const iface = this.iface(0, start);
          const origLen = dv.getUint32(p + 8, le);
          let caplen = Math.min(origLen, len - SPB_MIN_LEN);
          if (iface.snaplen > 0 && caplen > iface.snaplen) caplen = iface.snaplen;
          // A simple packet block carries no timestamp.
          rec.tsSec = 0;
          rec.tsNsec = 0;
          rec.origLen = origLen;
          rec.linkType = iface.linkType;
          rec.interfaceIndex = 0;
          rec.setData(w.buf, p + 12, caplen);
          w.pos = p + len;
          return true;
        }
        default:
          break; // NRB, ISB, DSB, custom and unknown blocks carry no packets for us.
      }
      w.pos = p + len;
    }
  }

  private iface(index: number, blockStart: number): PcapngInterface {
    const iface = this.interfaces[index];
    if (iface === undefined) {
      throw this.fail(blockStart, `packet refers to interface ${index}, but the section defines ${this.interfaces.length}`);
    }
    return iface;
  }

  private readSectionHeader(w: ByteWindow, p: number, len: number, start: number): void {
    if (len < SHB_MIN_LEN) throw this.fail(start, `SHB block too short (${len} bytes)`);
    const major = w.dv.getUint16(p + 12, this.littleEndian);
    if (major !== 1) throw this.fail(start + 12, `unsupported pcapng major version ${major}`);
    this.sections++;
    this.interfaces = [];
  }

  private readInterface(w: ByteWindow, p: number, len: number, start: number): void {
    if (len < IDB_MIN_LEN) throw this.fail(start, `IDB block too short (${len} bytes)`);
    const dv = w.dv;
    const le = this.littleEndian;
    const linkType = dv.getUint16(p + 8, le);
    this.checkLinkType(linkType, start + 8);
    const iface: PcapngInterface = {
      linkType,
      snaplen: dv.getUint32(p + 12, le),
      name: undefined,
      tsresol: 6,
      unitsPerSec: 1e6,
      unitsPerSecBig: 1_000_000n,
      tsOffsetSec: 0,
    };
    // Options: code u16, length u16, value padded to 4 bytes, until opt_endofopt or the trailer.
    const optEnd = p + len - 4;
    let o = p + 16;
    while (o + 4 <= optEnd) {
      const code = dv.getUint16(o, le);
      const olen = dv.getUint16(o + 2, le);
      const v = o + 4;
      if (code === OPT_ENDOFOPT) break;
      if (v + olen > optEnd) throw this.fail(start + (o - p), `IDB option ${code} overruns its block`);
      if (code === IF_TSRESOL && olen >= 1) {
        const r = w.buf[v]!;
        const exp = r & 0x7f;
        const pow2 = (r & 0x80) !== 0;
        if ((pow2 && exp > 63) || (!pow2 && exp > 18)) throw this.fail(start + (v - p), `unsupported if_tsresol 0x${r.toString(16)}`);
        iface.tsresol = r;
        iface.unitsPerSecBig = unitsForTsresol(r);
        iface.unitsPerSec = Number(iface.unitsPerSecBig);
      } else if (code === IF_TSOFFSET && olen >= 8) {
        iface.tsOffsetSec = Number(dv.getBigInt64(v, le));
      } else if (code === IF_NAME) {
        iface.name = new TextDecoder().decode(w.buf.subarray(v, v + olen)).replace(/\0+$/, '');
      }
      o = v + ((olen + 3) & ~3);
    }
    this.interfaces.push(iface);
  }
}
