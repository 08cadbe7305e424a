// timestamp.ts: pcapng timestamp ticks (a 64-bit count of 10^-n or 2^-n second units) to
// seconds + nanoseconds, truncating sub-nanosecond parts. Number arithmetic while the count
// fits in 53 bits (every microsecond capture), exact BigInt arithmetic beyond.
import type { PcapRecord } from './record.js';

const TWO32 = 4294967296;
const NSEC_PER_SEC = 1_000_000_000;

export interface TickUnits {
  unitsPerSec: number;
  unitsPerSecBig: bigint;
  tsOffsetSec: number;
}

export function setTicks(rec: PcapRecord, hi: number, lo: number, u: TickUnits): void {
  const units = u.unitsPerSec;
  if (hi < 0x200000 && units <= NSEC_PER_SEC) {
    const t = hi * TWO32 + lo;
    let sec = Math.floor(t / units);
    let rem = t - sec * units;
    // Float division can round up across an integer; step back when it did.
    if (rem < 0) {
      sec--;
      rem += units;
    }
    let nsec: number;
    if (units === NSEC_PER_SEC) nsec = rem;
    else if (NSEC_PER_SEC % units === 0) nsec = rem * (NSEC_PER_SEC / units);
    else if (units < 9e6) nsec = Math.floor((rem * NSEC_PER_SEC) / units);
    else nsec = Number((BigInt(rem) * 1_000_000_000n) / u.unitsPerSecBig);
    rec.tsSec = sec + u.tsOffsetSec;
    rec.tsNsec = nsec;
    return;
  }
  const T = (BigInt(hi) << 32n) | BigInt(lo);
  const U = u.unitsPerSecBig;
  rec.tsSec = Number(T / U) + u.tsOffsetSec;
  rec.tsNsec = Number(((T % U) * 1_000_000_000n) / U);
}

/** Nanoseconds to ticks of `unitsPerSec` (truncating), as the two 32-bit halves. */
export function nsToTicks(ts: bigint, unitsPerSecBig: bigint): { hi: number; lo: number } {
  const t = unitsPerSecBig === 1_000_000_000n ? ts : (ts * unitsPerSecBig) / 1_000_000_000n;
  return { hi: Number((t >> 32n) & 0xffffffffn), lo: Number(t & 0xffffffffn) };
}

/** Ticks per second of a pcapng if_tsresol byte: 10^n, or 2^n with the high bit set. */
export function unitsForTsresol(r: number): bigint {
  const exp = BigInt(r & 0x7f);
  return r & 0x80 ? 1n << exp : 10n ** exp;
}
