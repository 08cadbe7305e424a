// replay.ts: one device, one chain per hook, one capture: what `tcxsim replay` runs without a
// scenario file. Every record enters `dev` (a wire port) at ingress and runs the ingress chain
// with tcx semantics (TCX_NEXT continues, anything else decides). What the chain lets pass is
// what the replay is about: it is taken off the datapath there (like a tap after tc; accounted as
// "held") and, with an egress chain, transmitted back out of the device through it (a bump in the
// wire); the output capture gets the passing frames (ingress only) or what leaves the wire.
import type { Engine } from '../bpf/jit/engine.js';
import { loadObjectFile } from '../bpf/elf/index.js';
import type { Skb } from '../bpf/skb/skb.js';
import { SimError } from '../errors.js';
import type { NetDevice } from '../netdev/device.js';
import type { Hook, HookProgram, TcxChains } from '../netdev/datapath/hooks.js';
import { runHookProgram } from '../netdev/datapath/hooks.js';
import { World } from '../netdev/world.js';
import { openCapture, PcapWriter, toEthernetFrame } from '../pcap/index.js';
import type { LoadedObject } from '../sim/simulator.js';
import type { Program } from '../sim/program.js';
import { TC_ACT_OK, TC_ACT_STOLEN, TC_ACT_UNSPEC } from '../tc/action.js';
import { Machine } from './machine.js';

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
  /** Passed the ingress chain (or every packet, without one). */
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

const MAX_FRAME = 262144 + 14;

export function replay(o: ReplayOptions): ReplayResult {
  if (o.ingress.length === 0 && o.egress.length === 0) throw new SimError('EUSAGE', 'give --ingress and/or --egress programs');
  const world = new World(1);
  let dev: NetDevice;
  try {
    dev = world.addWire('init', o.dev);
  } catch (e) {
    throw e instanceof SimError ? new SimError('EUSAGE', `--dev ${o.dev}: ${e.detail}`) : e;
  }
  let passed = 0;
  const pending: Uint8Array[] = [];
  const wantEgress = o.egress.length > 0;
  let ingressChain: readonly HookProgram[] = [];
  // The ingress hook is one composite program running the chain; passing frames are taken off.
  const tap: HookProgram = {
    id: 0,
    name: 'replay-tap',
    run(skb: Skb): number {
      let ret = TC_ACT_UNSPEC;
      for (let i = 0; i < ingressChain.length; i++) {
        ret = runHookProgram(ingressChain[i]!, skb);
        if (ret !== TC_ACT_UNSPEC) break;
      }
      if (ret !== TC_ACT_UNSPEC && ret !== TC_ACT_OK) return ret;
      passed++;
      const frame = skb.buf.slice(skb.data, skb.tail);
      if (wantEgress) pending.push(frame);
      else if (writer) writer.write(frame, m.sim.clock.realtimeNs);
      return TC_ACT_STOLEN;
    },
  };
  const tapChain = [tap];
  const wrap = (counted: TcxChains): TcxChains => ({
    programs(d: NetDevice, hook: Hook) {
      if (hook === 'ingress' && d === dev) {
        ingressChain = counted.programs(d, hook);
        return tapChain;
      }
      return counted.programs(d, hook);
    },
  });
  const m = new Machine(world, { wrapChains: wrap, engine: o.engine });
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
  if (writer && wantEgress) {
    const w = writer;
    m.datapath.capture = { wire: (_d, frame) => w.write(frame, m.sim.clock.realtimeNs) };
  }
  const buf = new Uint8Array(MAX_FRAME);
  const dp = m.datapath;
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
      dp.inject(dev, buf.subarray(0, n));
      dp.run();
      for (let i = 0; i < pending.length; i++) dp.send(dev, pending[i]!);
      pending.length = 0;
      dp.run();
      m.sim.quiesce();
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
