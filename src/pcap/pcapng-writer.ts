// pcapng-writer.ts: writes pcapng: a section header, interface descriptions (link type,
// snaplen, if_name, if_tsresol) and enhanced packet blocks; newSection() starts another
// section (interface indices restart at 0), in either byte order.
import { SimError } from '../errors.js';
import {
  BT_EPB,
  BT_IDB,
  BT_SHB,
  BT_SPB,
  BYTE_ORDER_MAGIC,
  IF_NAME,
  IF_TSRESOL,
  OPT_ENDOFOPT,
  SHB_USERAPPL,
} from './format.js';
import { CaptureOut, sinkFor } from './file-out.js';
import { LINKTYPE_ETHERNET } from './linktype.js';
import type { ByteSink } from './sink.js';
import { nsToTicks, unitsForTsresol } from './timestamp.js';

export interface PcapngSectionOptions {
  bigEndian?: boolean;
  /** shb_userappl; default "tcxsim". */
  userAppl?: string;
}

export interface PcapngInterfaceOptions {
  linkType?: number;
  /** 0 = no limit (the default). */
  snaplen?: number;
  name?: string;
  /** Raw if_tsresol byte: 6 = microseconds, 9 = nanoseconds (the default), 0x80|n = 2^-n s. */
  tsresol?: number;
}

const TEXT = new TextEncoder();

export class PcapngWriter extends CaptureOut {
  private le = true;
  private interfaces: { snaplen: number; units: bigint }[] = [];

  private constructor(sink: ByteSink, path: string | null, opts: PcapngSectionOptions) {
    super(sink, path);
    this.newSection(opts);
  }

  static create(path: string, opts: PcapngSectionOptions = {}): PcapngWriter {
    return new PcapngWriter(sinkFor(path), path, opts);
  }

  static memory(opts: PcapngSectionOptions = {}): PcapngWriter {
    return new PcapngWriter(sinkFor(null), null, opts);
  }

  /** Starts a new section; interfaces must be added again. */
  newSection(opts: PcapngSectionOptions = {}): void {
    this.le = !(opts.bigEndian ?? false);
    this.interfaces = [];
    const appl = TEXT.encode(opts.userAppl ?? 'tcxsim');
    const body = new Uint8Array(16 + optionSize(appl.length) + 4);
    const dv = new DataView(body.buffer);
    dv.setUint32(0, BYTE_ORDER_MAGIC, this.le);
    dv.setUint16(4, 1, this.le); // major version
    dv.setUint16(6, 0, this.le); // minor version
    dv.setBigInt64(8, -1n, this.le); // section length not specified
    let o = putOption(dv, 16, SHB_USERAPPL, appl, this.le);
    o = putOption(dv, o, OPT_ENDOFOPT, new Uint8Array(0), this.le);
    this.writeBlock(BT_SHB, body);
  }

  /** Describes an interface of the current section; returns its index for write(). */
  addInterface(opts: PcapngInterfaceOptions = {}): number {
    const tsresol = opts.tsresol ?? 9;
    const name = opts.name === undefined ? null : TEXT.encode(opts.name);
    const size = 8 + (name ? optionSize(name.length) : 0) + optionSize(1) + 4;
    const body = new Uint8Array(size);
    const dv = new DataView(body.buffer);
    dv.setUint16(0, opts.linkType ?? LINKTYPE_ETHERNET, this.le);
    dv.setUint32(4, opts.snaplen ?? 0, this.le);
    let o = 8;
    if (name) o = putOption(dv, o, IF_NAME, name, this.le);
    o = putOption(dv, o, IF_TSRESOL, Uint8Array.of(tsresol), this.le);
    putOption(dv, o, OPT_ENDOFOPT, new Uint8Array(0), this.le);
    this.writeBlock(BT_IDB, body);
    this.interfaces.push({ snaplen: opts.snaplen ?? 0, units: unitsForTsresol(tsresol) });
    return this.interfaces.length - 1;
  }

  /** An enhanced packet block on interface `ifIndex` at `ts` nanoseconds since the epoch. */
  write(ifIndex: number, data: Uint8Array, ts: bigint, origLen = data.length): void {
    const iface = this.interfaces[ifIndex];
    if (iface === undefined) throw new SimError('EINVAL', `${this.where()}: no interface ${ifIndex} in this section`);
    const caplen = iface.snaplen > 0 ? Math.min(data.length, iface.snaplen) : data.length;
    const { hi, lo } = nsToTicks(ts, iface.units);
    const sink = this.begin(BT_EPB, 20 + pad4(caplen));
    const dv = sink.dv;
    const p = sink.pos;
    dv.setUint32(p + 8, ifIndex, this.le);
    dv.setUint32(p + 12, hi, this.le);
    dv.setUint32(p + 16, lo, this.le);
    dv.setUint32(p + 20, caplen, this.le);
    dv.setUint32(p + 24, Math.max(origLen, caplen), this.le);
    sink.buf.set(data.subarray(0, caplen), p + 28);
    this.end(28 + pad4(caplen) + 4);
    this.count++;
  }

  /** A simple packet block (interface 0, no timestamp). */
  writeSimple(data: Uint8Array, origLen = data.length): void {
    const iface = this.interfaces[0];
    if (iface === undefined) throw new SimError('EINVAL', `${this.where()}: a simple packet block needs interface 0`);
    const caplen = iface.snaplen > 0 ? Math.min(data.length, iface.snaplen) : data.length;
    const sink = this.begin(BT_SPB, 4 + pad4(caplen));
    sink.dv.setUint32(sink.pos + 8, Math.max(origLen, caplen), this.le);
    sink.buf.set(data.subarray(0, caplen), sink.pos + 12);
    this.end(12 + pad4(caplen) + 4);
    this.count++;
  }

  /** Any block, given its body (padded to 4 bytes here): for blocks readers must skip. */
  writeBlock(type: number, body: Uint8Array): void {
    const sink = this.begin(type, pad4(body.length));
    sink.buf.set(body, sink.pos + 8);
    this.end(8 + pad4(body.length) + 4);
  }

  /** Reserves a block of `bodyLen` body bytes, zeroed, with its type written. */
  private begin(type: number, bodyLen: number): ByteSink {
    if (this.closed) throw this.writeAfterClose();
    const total = 12 + bodyLen;
    const sink = this.sink;
    sink.reserve(total);
    sink.buf.fill(0, sink.pos, sink.pos + total);
    sink.dv.setUint32(sink.pos, type, this.le);
    sink.dv.setUint32(sink.pos + 4, total, this.le);
    return sink;
  }

  private end(total: number): void {
    const sink = this.sink;
    sink.dv.setUint32(sink.pos + total - 4, total, this.le);
    sink.pos += total;
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function optionSize(valueLen: number): number {
  return 4 + pad4(valueLen);
}

function putOption(dv: DataView, o: number, code: number, value: Uint8Array, le: boolean): number {
  dv.setUint16(o, code, le);
  dv.setUint16(o + 2, value.length, le);
  new Uint8Array(dv.buffer, dv.byteOffset + o + 4, value.length).set(value);
  return o + optionSize(value.length);
}
