// geneve.ts: Geneve headers (RFC 8926): version, options length, O (OAM) and C (critical)
// bits, protocol type (0x6558 = Ethernet), 24-bit VNI and TLV options. UDP port 6081.
import { get16, get32, put16, put32 } from './bytes.js';
import { GENEVE_HLEN } from './constants.js';
import { malformed, truncated, type Malformed, type Truncated } from './result.js';

/** Transparent Ethernet bridging: the inner payload is an Ethernet frame. */
export const ETH_P_TEB = 0x6558;

export interface GeneveOption {
  optClass: number;
  type: number;
  /** Data length in bytes (without the 4-byte option header). */
  length: number;
  offset: number;
}

export interface GeneveHeader {
  kind: 'geneve';
  offset: number;
  version: number;
  /** Bytes of options. */
  optionsLength: number;
  oam: boolean;
  critical: boolean;
  protocolType: number;
  vni: number;
  options: GeneveOption[];
  payloadOffset: number;
}

export function parseGeneve(b: Uint8Array, off = 0, end = b.length): GeneveHeader | Truncated | Malformed {
  if (end - off < GENEVE_HLEN) return truncated('geneve', off, GENEVE_HLEN, end - off);
  const version = b[off]! >> 6;
  if (version !== 0) return malformed('geneve', off, `version ${version}`);
  const optionsLength = (b[off]! & 0x3f) * 4;
  const hlen = GENEVE_HLEN + optionsLength;
  if (end - off < hlen) return truncated('geneve', off, hlen, end - off);
  const options: GeneveOption[] = [];
  for (let o = off + GENEVE_HLEN; o < off + hlen; ) {
    if (off + hlen - o < 4) return malformed('geneve', off, `option at ${o - off} overruns the header`);
    const length = (b[o + 3]! & 0x1f) * 4;
    if (o + 4 + length > off + hlen) return malformed('geneve', off, `option at ${o - off} overruns the header`);
    options.push({ optClass: get16(b, o), type: b[o + 2]!, length, offset: o });
    o += 4 + length;
  }
  return {
    kind: 'geneve',
    offset: off,
    version,
    optionsLength,
    oam: (b[off + 1]! & 0x80) !== 0,
    critical: (b[off + 1]! & 0x40) !== 0,
    protocolType: get16(b, off + 2),
    vni: get32(b, off + 4) >>> 8,
    options,
    payloadOffset: off + hlen,
  };
}

export interface GeneveFields {
  vni: number;
  protocolType?: number;
  oam?: boolean;
  critical?: boolean;
  /** Raw option TLVs, a multiple of 4 bytes. */
  options?: Uint8Array;
}

export function writeGeneve(b: Uint8Array, off: number, f: GeneveFields): number {
  const optLen = f.options?.length ?? 0;
  b[off] = (optLen / 4) & 0x3f;
  b[off + 1] = (f.oam ? 0x80 : 0) | (f.critical ? 0x40 : 0);
  put16(b, off + 2, f.protocolType ?? ETH_P_TEB);
  put32(b, off + 4, ((f.vni & 0xffffff) << 8) >>> 0);
  if (f.options) b.set(f.options, off + GENEVE_HLEN);
  return GENEVE_HLEN + optLen;
}
