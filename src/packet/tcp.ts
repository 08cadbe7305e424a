// tcp.ts: TCP headers (RFC 9293) with their options (MSS, window scale, SACK, timestamps),
// and tcpdump's flag letters ("S", "S.", "P.", "F.", "R") for summaries.
import { get16, get32, put16, put32 } from './bytes.js';
import {
  TCP_FLAG_ACK,
  TCP_FLAG_CWR,
  TCP_FLAG_ECE,
  TCP_FLAG_FIN,
  TCP_FLAG_PSH,
  TCP_FLAG_RST,
  TCP_FLAG_SYN,
  TCP_FLAG_URG,
  TCP_HLEN,
  TCPOPT_EOL,
  TCPOPT_MSS,
  TCPOPT_NOP,
  TCPOPT_SACK_PERM,
  TCPOPT_TIMESTAMP,
  TCPOPT_WINDOW,
} from './constants.js';
import { malformed, truncated, type Malformed, type Truncated } from './result.js';

export interface TcpOption {
  kind: number;
  length: number;
  offset: number;
}

export interface TcpHeader {
  kind: 'tcp';
  offset: number;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  headerLength: number;
  /** The 8 flag bits, TCP_FLAG_*. */
  flags: number;
  window: number;
  checksum: number;
  urgent: number;
  options: TcpOption[];
  mss?: number;
  windowScale?: number;
  sackPermitted?: boolean;
  timestamp?: { value: number; echo: number };
  payloadOffset: number;
}

export function parseTcp(b: Uint8Array, off = 0, end = b.length): TcpHeader | Truncated | Malformed {
  if (end - off < TCP_HLEN) return truncated('tcp', off, TCP_HLEN, end - off);
  const hlen = (b[off + 12]! >> 4) * 4;
  if (hlen < TCP_HLEN) return malformed('tcp', off, `data offset ${hlen} < 20`);
  if (end - off < hlen) return truncated('tcp', off, hlen, end - off);
  const h: TcpHeader = {
    kind: 'tcp',
    offset: off,
    srcPort: get16(b, off),
    dstPort: get16(b, off + 2),
    seq: get32(b, off + 4),
    ack: get32(b, off + 8),
    headerLength: hlen,
    flags: b[off + 13]!,
    window: get16(b, off + 14),
    checksum: get16(b, off + 16),
    urgent: get16(b, off + 18),
    options: [],
    payloadOffset: off + hlen,
  };
  const optEnd = off + hlen;
  for (let o = off + TCP_HLEN; o < optEnd; ) {
    const kind = b[o]!;
    if (kind === TCPOPT_EOL) break;
    if (kind === TCPOPT_NOP) {
      h.options.push({ kind, length: 1, offset: o });
      o++;
      continue;
    }
    const len = o + 1 < optEnd ? b[o + 1]! : 0;
    if (len < 2 || o + len > optEnd) return malformed('tcp', off, `option ${kind} at ${o - off} has length ${len}`);
    h.options.push({ kind, length: len, offset: o });
    if (kind === TCPOPT_MSS && len === 4) h.mss = get16(b, o + 2);
    else if (kind === TCPOPT_WINDOW && len === 3) h.windowScale = b[o + 2]!;
    else if (kind === TCPOPT_SACK_PERM && len === 2) h.sackPermitted = true;
    else if (kind === TCPOPT_TIMESTAMP && len === 10) h.timestamp = { value: get32(b, o + 2), echo: get32(b, o + 6) };
    o += len;
  }
  return h;
}

export interface TcpFields {
  srcPort: number;
  dstPort: number;
  seq?: number;
  ack?: number;
  /** TCP_FLAG_* bits, or tcpdump letters: "S", "S.", "P.", "F.", "R." ("." is ACK). */
  flags?: number | string;
  window?: number;
  urgent?: number;
  /** Raw option bytes; padded here with EOL to a multiple of 4. */
  options?: Uint8Array;
  /** Checksum field as written; normally filled later by setTransportChecksum. */
  checksum?: number;
}

export function tcpHeaderLength(f: { options?: Uint8Array }): number {
  return TCP_HLEN + (((f.options?.length ?? 0) + 3) & ~3);
}

/** Writes the header at `off` (checksum as given, default 0); returns its length. */
export function writeTcp(b: Uint8Array, off: number, f: TcpFields): number {
  const hlen = tcpHeaderLength(f);
  put16(b, off, f.srcPort);
  put16(b, off + 2, f.dstPort);
  put32(b, off + 4, f.seq ?? 0);
  put32(b, off + 8, f.ack ?? 0);
  b[off + 12] = (hlen / 4) << 4;
  b[off + 13] = typeof f.flags === 'string' ? tcpFlagsFromLetters(f.flags) : (f.flags ?? 0);
  put16(b, off + 14, f.window ?? 65535);
  put16(b, off + 16, f.checksum ?? 0);
  put16(b, off + 18, f.urgent ?? 0);
  if (f.options) {
    b.set(f.options, off + TCP_HLEN);
    b.fill(TCPOPT_EOL, off + TCP_HLEN + f.options.length, off + hlen);
  }
  return hlen;
}

// tcpdump's print-tcp.c tcp_flag_values order.
const LETTERS: [number, string][] = [
  [TCP_FLAG_FIN, 'F'],
  [TCP_FLAG_SYN, 'S'],
  [TCP_FLAG_RST, 'R'],
  [TCP_FLAG_PSH, 'P'],
  [TCP_FLAG_URG, 'U'],
  [TCP_FLAG_ECE, 'E'],
  [TCP_FLAG_CWR, 'W'],
];

/** tcpdump's flag string: letters in its order, "." for ACK, "none" for no flags. */
export function tcpFlagLetters(flags: number): string {
  let s = '';
  for (const [bit, c] of LETTERS) if (flags & bit) s += c;
  if (flags & TCP_FLAG_ACK) s += '.';
  return s === '' ? 'none' : s;
}

export function tcpFlagsFromLetters(s: string): number {
  let f = 0;
  for (const c of s) {
    if (c === '.') f |= TCP_FLAG_ACK;
    else if (c === 'A') f |= TCP_FLAG_ACK;
    else {
      const e = LETTERS.find(([, l]) => l === c);
      if (e) f |= e[0];
    }
  }
  return f;
}
