// parser.ts: what the reader front end (reader.ts) asks of a file-format decoder: fill the
// shared record with the next packet, return false at a clean end, throw EFORMAT otherwise.
import type { SimError } from '../errors.js';
import type { ByteWindow } from './window.js';
import type { PcapRecord } from './record.js';

export interface FormatParser {
  readonly format: 'pcap' | 'pcapng';
  next(w: ByteWindow, rec: PcapRecord): boolean;
}

/** Builds the EFORMAT error for a problem at a byte offset of the file. */
export type FormatErrorFn = (offset: number, message: string) => SimError;
/** Throws unless the link type (found at the given offset) is acceptable. */
export type LinkTypeCheck = (linkType: number, offset: number) => void;
