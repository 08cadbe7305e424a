// clock.ts: the simulated clock. Time never comes from the host: it is set from packet
// timestamps (or advanced explicitly), so the same inputs give the same outputs.
// CLOCK_MONOTONIC (ktime_get_ns) counts from a simulated boot; CLOCK_REALTIME is the capture time.

export const NSEC_PER_SEC = 1_000_000_000n;
/** jiffies at HZ=250 (Debian's kernel config), starting at INITIAL_JIFFIES like the kernel (-300 s). */
export const HZ = 250n;
const INITIAL_JIFFIES = BigInt.asUintN(64, -300n * HZ);

export class SimClock {
  /** CLOCK_REALTIME in ns. */
  private realtime: bigint;
  /** CLOCK_REALTIME at simulated boot. */
  private bootRealtime: bigint;

  /** `start` is the realtime at simulation start; boot happened `uptime` ns before it (default 1 s). */
  constructor(start = 0n, uptime = NSEC_PER_SEC) {
    this.realtime = start;
    this.bootRealtime = start - uptime;
  }

  /** Moves the clock to a packet's timestamp; never backwards (monotonic stays monotonic). */
  advanceTo(realtimeNs: bigint): void {
    if (realtimeNs > this.realtime) this.realtime = realtimeNs;
  }

  advanceBy(ns: bigint): void {
    if (ns > 0n) this.realtime += ns;
  }

  /** Restarts the clock at a first packet's time, keeping the configured uptime. */
  rebase(realtimeNs: bigint): void {
    const uptime = this.realtime - this.bootRealtime;
    this.realtime = realtimeNs;
    this.bootRealtime = realtimeNs - uptime;
  }

  get realtimeNs(): bigint {
    return this.realtime;
  }

  /** bpf_ktime_get_ns / ktime_get_boot_ns (no suspend in a simulation, so they agree). */
  get monotonicNs(): bigint {
    return this.realtime - this.bootRealtime;
  }

  /** bpf_ktime_get_tai_ns: TAI is 37 s ahead of UTC since 2017. */
  get taiNs(): bigint {
    return this.realtime + 37n * NSEC_PER_SEC;
  }

  /** bpf_jiffies64 */
  get jiffies64(): bigint {
    return BigInt.asUintN(64, INITIAL_JIFFIES + (this.monotonicNs * HZ) / NSEC_PER_SEC);
  }
}
