// replay.ts: one device, one chain per hook, one capture: what `tcxsim replay` runs without a
// scenario file. Every record enters `dev` (a wire port) at ingress and runs the tcx ingress
// chain as the datapath runs it. A packet the chain lets through is taken off the datapath right
// after tc ingress (Capture.afterIngress; accounted "held", never handed to the stack) and, with
// an egress chain, sent back out of the device through it (a bump in the wire); the output
// capture gets those passing frames (ingress only) or what leaves the wire.
import type { Engine } from '../bpf/jit/engine.js';
import { loadObjectFile } from '../bpf/elf/index.js';
import { SimError } from '../errors.js';
import type { NetDevice } from '../netdev/device.js';
import type { Hook } from '../netdev/datapath/hooks.js';
import { World } from '../netdev/world.js';
import { openCapture, PcapWriter, toEthernetFrame } from '../pcap/index.js';
import type { LoadedObject } from '../sim/simulator.js';
import type { Program } from '../sim/program.js';
import { Machine } from './machine.js';
import { feedFrame, MAX_FRAME } from './traffic.js';

export interface ReplayOptions {
  input: string;
  dev: string;
  /** `obj.o:prog` in run order. */
  ingress: readonly string[];
  egress: readonly string[];
  output?: string;
  onProgress?: (packets: number, bytes: number) => void;
  engine?: Engine;
}

export interface ReplayResult {
  machine: Machine;
  packets: number;
  bytes: number;
  /** Passed the ingress chain (or every packet, without one); taken off after tc ingress. */
  passed: number;
  written: number;
  spanNs: bigint;
  wallMs: number;
  /** The ingress and egress chains: program name, id, verdict counts. */
  chains: { hook: Hook; programs: { ref: string; id: number; verdicts: Record<string, number> }[] }[];
  /** A capture error after the good records (byte offset in the message). */
  error: SimError | null;
}

/** `file.o:prog` → [file, prog]; a bare file means its only program. */
export function parseProgRef(ref: string): [string, string | undefined] {
  const i = ref.lastIndexOf(':');
  if (i <= 0) return [ref, undefined];
  return [ref.slice(0, i), ref.slice(i + 1) || undefined];
}

export function replay(o: ReplayOptions): ReplayResult {
  if (o.ingress.length === 0 && o.egress.length === 0) throw new SimError('EUSAGE', 'give --ingress and/or --egress programs');
  const world = new World(1);
  let dev: NetDevice;
  try {
    dev = world.addWire('init', o.dev);
  } catch (e) {
    throw e instanceof SimError ? new SimError('EUSAGE', `--dev ${o.dev}: ${e.detail}`) : e;
  }
  const m = new Machine(world, { engine: o.engine });
  const objects = new Map<string, LoadedObject>();
  const attach = (hook: Hook, refs: readonly string[]) =>
    refs.map((ref) => {
      const [file, name] = parseProgRef(ref);
      let obj = objects.get(file);
      if (!obj) objects.set(file, (obj = m.sim.loadObject(loadObjectFile(file))));
      const prog: Program = obj.program(name);
      m.bridge.tcx.attachProgram({ dev: m.bridge.device(dev), hook, prog: m.bridge.program(prog) });
      m.bridge.changed();
      return { ref, id: prog.id };
    });
  const chains = [
    { hook: 'ingress' as const, progs: attach('ingress', o.ingress) },
    { hook: 'egress' as const, progs: attach('egress', o.egress) },
  ];
  const reader = openCapture(o.input);
  let writer: PcapWriter | null = o.output ? PcapWriter.create(o.output, { nanosecond: true }) : null;
  const wantEgress = o.egress.length > 0;
  let passed = 0;
  // A passing frame to send back out: copied, since the packet's buffer is reused once it is held.
  let pending: Uint8Array | null = null;
  m.datapath.capture = {
    afterIngress: (d, frame) => {
      if (d !== dev) return false;
      passed++;
      if (wantEgress) pending = frame.slice();
      else writer?.write(frame, m.sim.clock.realtimeNs);
      return true;
    },
    wire: wantEgress && writer ? (_d, frame) => writer!.write(frame, m.sim.clock.realtimeNs) : undefined,
  };
  const buf = new Uint8Array(MAX_FRAME);
  let packets = 0;
  let bytes = 0;
  let first = -1n;
  let error: SimError | null = null;
  const t0 = performance.now();
  try {
    for (let rec = reader.next(); rec !== null; rec = reader.next()) {
      const ts = rec.ts;
      if (first < 0n) {
        first = ts;
        m.sim.clock.rebase(ts);
      } else m.sim.clock.advanceTo(ts);
      const n = toEthernetFrame(rec.linkType, rec.data, buf, { dst: dev.mac });
      feedFrame(m, dev, buf.subarray(0, n), false);
      if (pending) {
        const frame: Uint8Array = pending;
        pending = null;
        feedFrame(m, dev, frame, true);
      }
      packets++;
      bytes += n;
      if (o.onProgress && (packets & 4095) === 0) o.onProgress(packets, bytes);
    }
  } catch (e) {
    if (!(e instanceof SimError)) {
      writer?.abort();
      writer = null;
      throw e;
    }
    error = new SimError(e.code, `${e.detail} (${reader.count} packets before it were replayed)`);
  } finally {
    reader.close();
  }
  const written = writer?.count ?? 0;
  writer?.close();
  return {
    machine: m,
    packets,
    bytes,
    passed,
    written,
    spanNs: first < 0n ? 0n : m.sim.clock.realtimeNs - first,
    wallMs: performance.now() - t0,
    chains: chains.map((c) => ({ hook: c.hook, programs: c.progs.map((p) => ({ ...p, verdicts: m.verdicts.of(p.id) })) })),
    error,
  };
}
