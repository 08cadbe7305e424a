// traffic.ts: feeds a scenario's traffic into the datapath, one packet at a time and drained
// before the next (so captures and maps see packets in order). Captures are read streaming (one
// reused buffer), raw-IP records get an Ethernet header addressed to the port, and the simulated
// clock follows packet timestamps; inline packets are spaced by `gap` seconds (default 1 ms).
// A capture that turns out truncated or malformed part way stops that source after its last
// good record; the error is returned, not thrown, so the run can report what it did.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SimError } from '../errors.js';
import type { NetDevice } from '../netdev/device.js';
import { openCapture, toEthernetFrame, type CaptureReader } from '../pcap/index.js';
import type { Machine } from './machine.js';
import { buildPacket, defaultMacs } from './packets.js';
import { bare, locatedAt, relocate } from './located.js';
import type { ScenarioTraffic } from './schema.js';
import { normalizeDevPath, type Where } from './topology.js';

export const DEFAULT_GAP_NS = 1_000_000n;
/** The largest frame a capture record can give: a 256 KiB snaplen plus an added Ethernet header. */
export const MAX_FRAME = 262144 + 14;

/**
 * One packet through the datapath, drained before the next: a frame arriving on `dev` from
 * outside (netif_rx) or, with `send`, sent out of it by a host (dev_queue_xmit); then the maps'
 * deferred frees run (the RCU grace period between packets).
 */
export function feedFrame(m: Machine, dev: NetDevice, frame: Uint8Array, send: boolean): void {
  const dp = m.datapath;
  m.sim.tracer?.beginPacket();
  if (send) dp.send(dev, frame);
  else dp.inject(dev, frame);
  dp.run();
  m.sim.quiesce();
}

export interface TrafficTotals {
  packets: number;
  bytes: number;
  /** Simulated time from the first packet to the last, in ns. */
  spanNs: bigint;
}

export interface TrafficOptions {
  /** Called every `progressEvery` packets and at the end of each source. */
  onProgress?: (packets: number, bytes: number) => void;
  progressEvery?: number;
}

/** A traffic source checked and opened before anything runs (so bad input fails early). */
export type PreparedTraffic =
  | { kind: 'pcap'; dev: NetDevice; file: string; reader: CaptureReader; at: string }
  | { kind: 'inline'; dev: NetDevice; send: boolean; frames: { frame: Uint8Array; gapNs: bigint }[]; at: string };

/** Runs generators of missing captures; opens every capture; builds every inline packet. */
export async function prepareTraffic(m: Machine, list: readonly ScenarioTraffic[], baseDir: string, where: Where): Promise<PreparedTraffic[]> {
  const out: PreparedTraffic[] = [];
  for (let i = 0; i < list.length; i++) {
    const t = list[i];
    const at = where(['traffic', i]);
    try {
      if ('pcap' in t) {
        const dev = m.device(normalizeDevPath(t.port));
        const file = resolve(baseDir, t.pcap);
        if (t.generate) await generateIfStale(resolve(baseDir, t.generate), file);
        out.push({ kind: 'pcap', dev, file: t.pcap, reader: openCapture(file), at });
        continue;
      }
      const send = 'send' in t;
      const dev = m.device(normalizeDevPath(send ? t.send : t.port));
      const macs = defaultMacs(dev, send);
      const frames: { frame: Uint8Array; gapNs: bigint }[] = [];
      t.packets.forEach((p, j) => {
        const frame = locatedAt(where(['traffic', i, 'packets', j]), () => buildPacket(p, macs));
        const gapNs = p.gap === undefined ? DEFAULT_GAP_NS : BigInt(Math.round(p.gap * 1e9));
        for (let k = 0; k < (p.count ?? 1); k++) frames.push({ frame, gapNs });
      });
      out.push({ kind: 'inline', dev, send, frames, at });
    } catch (e) {
      for (const p of out) if (p.kind === 'pcap') p.reader.close();
      throw relocate(e, at);
    }
  }
  return out;
}

/** Writes a capture with its committed generator when it is missing or older than the script. */
async function generateIfStale(script: string, pcap: string): Promise<void> {
  let scriptTime: number;
  try {
    scriptTime = statSync(script).mtimeMs;
  } catch {
    throw new SimError('ENOENT', `generator ${script} does not exist`);
  }
  try {
    if (statSync(pcap).mtimeMs >= scriptTime) return;
  } catch {
    // missing: generate it
  }
  const mod = (await import(pathToFileURL(script).href)) as { generate?: (path: string) => unknown };
  if (typeof mod.generate !== 'function') throw new SimError('EINVAL', `generator ${script} does not export generate(pcapPath)`);
  await mod.generate(pcap);
}

/**
 * Feeds every source in order. Returns totals and the first capture error (EFORMAT with the
 * byte offset), after every good packet before it went through.
 */
export function runTraffic(m: Machine, sources: readonly PreparedTraffic[], opts: TrafficOptions & { clockStarted: boolean }): { totals: TrafficTotals; error: SimError | null } {
  const clock = m.sim.clock;
  // The first packet fixes the start of the span; a capture's first record also moves the clock
  // to its time unless the scenario set a start.
  let started = false;
  let first = 0n;
  let packets = 0;
  let bytes = 0;
  let error: SimError | null = null;
  const every = opts.progressEvery ?? 4096;
  const buf = new Uint8Array(MAX_FRAME);
  const one = (dev: NetDevice, frame: Uint8Array, send: boolean): void => {
    feedFrame(m, dev, frame, send);
    packets++;
    bytes += frame.length;
    if (opts.onProgress && packets % every === 0) opts.onProgress(packets, bytes);
  };
  for (const src of sources) {
    if (src.kind === 'inline') {
      for (const { frame, gapNs } of src.frames) {
        if (!started) {
          started = true;
          first = clock.realtimeNs;
        } else clock.advanceBy(gapNs);
        one(src.dev, frame, src.send);
      }
    } else {
      const r = src.reader;
      const macs = { dst: src.dev.mac };
      try {
        for (let rec = r.next(); rec !== null; rec = r.next()) {
          const ts = rec.ts;
          if (!started) {
            started = true;
            if (!opts.clockStarted) clock.rebase(ts);
            else clock.advanceTo(ts);
            first = clock.realtimeNs;
          } else clock.advanceTo(ts);
          const n = toEthernetFrame(rec.linkType, rec.data, buf, macs);
          one(src.dev, buf.subarray(0, n), false);
        }
      } catch (e) {
        if (!(e instanceof SimError)) throw e;
        error = new SimError(e.code, `${src.at}: ${bare(e)} (${r.count} packets before it were replayed)`);
        r.close();
        break;
      }
    }
    opts.onProgress?.(packets, bytes);
  }
  for (const s of sources) if (s.kind === 'pcap') s.reader.close();
  const spanNs = started ? clock.realtimeNs - first : 0n;
  return { totals: { packets, bytes, spanNs: spanNs < 0n ? 0n : spanNs }, error };
}

export function nsToSeconds(ns: bigint): number {
  return Number(ns) / 1e9;
}
