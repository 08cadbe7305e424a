// captures.ts: the capture points of a run. Every device has an rx point (frames as an ETH_P_ALL
// tap sees them, before tc ingress, once per receive round) and a tx point (after tc egress, as
// the frame goes to the driver). Each point counts packets and bytes, may stream into a pcap file
// (written as received; nothing is held in memory), and keeps copies only of the frames an
// expectation asks about by index.
import { join } from 'node:path';
import type { Capture } from '../netdev/datapath/datapath.js';
import type { NetDevice } from '../netdev/device.js';
import { PcapWriter } from '../pcap/index.js';
import type { SimClock } from '../sim/clock.js';

export type Direction = 'rx' | 'tx';

export class CapturePoint {
  packets = 0;
  bytes = 0;
  writer: PcapWriter | null = null;
  /** packet index → frame copy, for `packet:` expectations. */
  readonly kept = new Map<number, Uint8Array>();
  readonly wanted = new Set<number>();
  /** Every frame, when the capture keeps them all (testing API); null otherwise. */
  frames: Uint8Array[] | null = null;

  constructor(
    readonly dev: string,
    readonly direction: Direction,
  ) {}

  add(frame: Uint8Array, clock: SimClock): void {
    const i = this.packets++;
    this.bytes += frame.length;
    if (this.writer) this.writer.write(frame, clock.realtimeNs);
    if (this.wanted.size > 0 && this.wanted.has(i)) this.kept.set(i, frame.slice());
    if (this.frames) this.frames.push(frame.slice());
  }
}

export class Captures {
  readonly points = new Map<string, CapturePoint>();

  constructor(
    private readonly clock: SimClock,
    /** Keep a copy of every frame at every point (tests; small runs only). */
    private readonly keepAll = false,
  ) {}

  point(dev: string, direction: Direction): CapturePoint {
    const key = `${dev} ${direction}`;
    let p = this.points.get(key);
    if (!p) {
      this.points.set(key, (p = new CapturePoint(dev, direction)));
      if (this.keepAll) p.frames = [];
    }
    return p;
  }

  /** The datapath's capture callbacks; points are found by device once and cached on a WeakMap. */
  callbacks(): Capture {
    const rx = new WeakMap<NetDevice, CapturePoint>();
    const tx = new WeakMap<NetDevice, CapturePoint>();
    const clock = this.clock;
    return {
      ingress: (dev, frame) => {
        let p = rx.get(dev);
        if (!p) rx.set(dev, (p = this.point(dev.path, 'rx')));
        p.add(frame, clock);
      },
      egress: (dev, frame) => {
        let p = tx.get(dev);
        if (!p) tx.set(dev, (p = this.point(dev.path, 'tx')));
        p.add(frame, clock);
      },
    };
  }

  /** Opens a pcap writer (nanosecond timestamps) for both points of each device; returns the file names. */
  open(devs: readonly string[], outDir: string): string[] {
    const files: string[] = [];
    for (const dev of devs) {
      for (const dir of ['rx', 'tx'] as const) {
        const name = captureFileName(dev, dir);
        this.point(dev, dir).writer = PcapWriter.create(join(outDir, name), { nanosecond: true });
        files.push(name);
      }
    }
    return files;
  }

  close(): void {
    for (const p of this.points.values()) p.writer?.close();
  }

  /** Closes and deletes every capture file (a run that could not start). */
  abort(): void {
    for (const p of this.points.values()) p.writer?.abort();
  }
}

/** `init/eth0` rx → `init-eth0.rx.pcap` */
export function captureFileName(dev: string, dir: Direction): string {
  return `${dev.replace('/', '-')}.${dir}.pcap`;
}
