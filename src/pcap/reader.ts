// reader.ts: open a capture (classic pcap or pcapng, told apart by the magic) from a file or
// from memory and read it packet by packet in constant memory. Problems become
// SimError('EFORMAT', '<file>: offset <n>: ...') after every good record before them was delivered.
//
//   const r = openCapture('in.pcap');
//   for (const rec of r) use(rec.data);   // rec and rec.data are reused: valid until the next record
import { closeSync, openSync } from 'node:fs';
import { SimError } from '../errors.js';
import { ClassicPcapParser } from './classic-reader.js';
import {
  BT_SHB,
  KUZNETZOV_TCPDUMP_MAGIC,
  KUZNETZOV_TCPDUMP_MAGIC_SWAPPED,
  NSEC_TCPDUMP_MAGIC,
  NSEC_TCPDUMP_MAGIC_SWAPPED,
  TCPDUMP_MAGIC,
  TCPDUMP_MAGIC_SWAPPED,
  hex32,
} from './format.js';
import { SUPPORTED_LINK_TYPES_TEXT, isSupportedLinkType, linkTypeName } from './linktype.js';
import type { FormatParser } from './parser.js';
import { PcapngParser } from './pcapng-reader.js';
import { PcapRecord } from './record.js';
import { ByteWindow, DEFAULT_CHUNK_SIZE } from './window.js';

export interface ReadOptions {
  /** Give every record its own object and its own copy of the bytes (slower; safe to keep). */
  copy?: boolean;
  /** 'throw' (default): a format error is thrown after the good records; 'stop': reading just ends and `error` is set. */
  onError?: 'throw' | 'stop';
  /** Accept link types tcxsim cannot feed to a device (for dumping tools). */
  anyLinkType?: boolean;
  /** Bytes read from the file per read(2); a larger record grows the buffer. */
  chunkSize?: number;
}

export class CaptureReader implements Iterable<PcapRecord> {
  /** The format error that ended reading under onError: 'stop'. */
  error: SimError | null = null;
  /** Number of records delivered so far. */
  count = 0;
  private parser: FormatParser | null = null;
  private readonly rec = new PcapRecord();
  private done = false;
  private readonly copy: boolean;
  private readonly stopOnError: boolean;
  private readonly anyLinkType: boolean;

  constructor(
    /** File name used in error messages. */
    readonly name: string,
    private readonly window: ByteWindow,
    private fd: number | null,
    opts: ReadOptions = {},
  ) {
    this.copy = opts.copy ?? false;
    this.stopOnError = opts.onError === 'stop';
    this.anyLinkType = opts.anyLinkType ?? false;
    try {
      this.parser = this.detect();
    } catch (e) {
      this.close();
      throw this.asSimError(e);
    }
  }

  get format(): 'pcap' | 'pcapng' {
    return this.parser!.format;
  }

  /** File offset of the next unread byte (after the last delivered record). */
  get offset(): number {
    return this.window.offset;
  }

  /** The classic pcap header fields, or null for pcapng. */
  get classic(): ClassicPcapParser | null {
    return this.parser instanceof ClassicPcapParser ? this.parser : null;
  }

  /** The pcapng decoder state (current section's interfaces), or null for classic pcap. */
  get pcapng(): PcapngParser | null {
    return this.parser instanceof PcapngParser ? this.parser : null;
  }

  /** The next record, or null at the end. Without `copy` the same object is returned every time. */
  next(): PcapRecord | null {
    if (this.done) return null;
    let ok: boolean;
    try {
      ok = this.parser!.next(this.window, this.rec);
    } catch (e) {
      this.done = true;
      this.close();
      const err = this.asSimError(e);
      if (this.stopOnError) {
        this.error = err;
        return null;
      }
      throw err;
    }
    if (!ok) {
      this.done = true;
      this.close();
      return null;
    }
    this.count++;
    return this.copy ? this.rec.clone() : this.rec;
  }

  *[Symbol.iterator](): Iterator<PcapRecord> {
    for (let r = this.next(); r !== null; r = this.next()) yield r;
  }

  /** Releases the file descriptor (also done at the end of the file or on an error). */
  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }

  /** read(2) failures (EISDIR, EIO) keep their errno and gain the file name and offset. */
  private asSimError(e: unknown): SimError {
    if (e instanceof SimError) return e;
    const code = (e as NodeJS.ErrnoException).code;
    return new SimError(
      code === 'EISDIR' ? 'EISDIR' : 'EIO',
      `${this.name}: offset ${this.window.offset}: read failed: ${(e as Error).message}`,
    );
  }

  private fail = (offset: number, message: string): SimError =>
    new SimError('EFORMAT', `${this.name}: offset ${offset}: ${message}`);

  private checkLinkType = (linkType: number, offset: number): void => {
    if (this.anyLinkType || isSupportedLinkType(linkType)) return;
    throw this.fail(
      offset,
      `link type ${linkType} (${linkTypeName(linkType)}) is not supported; tcxsim reads ${SUPPORTED_LINK_TYPES_TEXT}`,
    );
  };

  private detect(): FormatParser {
    const w = this.window;
    const have = w.ensure(4);
    if (have < 4) throw this.fail(0, `file too short for a capture header (${have} bytes)`);
    const magic = w.dv.getUint32(w.pos, false);
    switch (magic) {
      case TCPDUMP_MAGIC:
      case TCPDUMP_MAGIC_SWAPPED:
      case NSEC_TCPDUMP_MAGIC:
      case NSEC_TCPDUMP_MAGIC_SWAPPED:
        return new ClassicPcapParser(w, magic, this.checkLinkType, this.fail);
      case BT_SHB:
        return new PcapngParser(this.checkLinkType, this.fail);
      case KUZNETZOV_TCPDUMP_MAGIC:
      case KUZNETZOV_TCPDUMP_MAGIC_SWAPPED:
        throw this.fail(0, `modified (Kuznetzov) pcap format is not supported; rewrite it with editcap -F pcap`);
      default:
        throw this.fail(0, `not a pcap or pcapng file (magic ${hex32(magic)})`);
    }
  }
}

/** Opens a capture file for streaming reads; ENOENT/EACCES come back as SimError too. */
export function openCapture(path: string, opts: ReadOptions = {}): CaptureReader {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const known = code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'EPERM';
    throw new SimError(known ? code : 'EIO', `${path}: cannot open capture: ${(e as Error).message}`);
  }
  return new CaptureReader(path, new ByteWindow(fd, null, opts.chunkSize ?? DEFAULT_CHUNK_SIZE), fd, opts);
}

/** Reads a capture held in memory; record views point into `bytes`. */
export function readCaptureBytes(bytes: Uint8Array, opts: ReadOptions = {}, name = '<memory>'): CaptureReader {
  return new CaptureReader(name, new ByteWindow(null, bytes), null, opts);
}

/** Every record of a capture, each with its own bytes (for tests and small files). */
export function readAllRecords(path: string, opts: Omit<ReadOptions, 'copy'> = {}): PcapRecord[] {
  return [...openCapture(path, { ...opts, copy: true })];
}
