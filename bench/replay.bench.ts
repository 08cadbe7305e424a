// replay.bench.ts: end-to-end replay speed (issue 7): packets per second from a pcap file in,
// through a three-program tcx ingress chain (bpf/replay_chain.c: parse → count per flow in a
// hash map → TTL rewrite with bpf_l3_csum_replace and bpf_redirect), out of a second wire port
// into a pcap file. The same run with each engine, all in this one process. Two figures each:
// - whole file: the first replay of the engine, from the first packet read to the last written,
//   including what a one-off `tcxsim replay` pays too (V8 optimising the datapath and the
//   generated code while the first packets run unoptimised). Attaching compiles the programs
//   (Simulator.compileForHook, as the kernel JITs at load): that is in `setup`, printed beside it;
// - steady: packets after the first WARM_PACKETS of each replay, median of ROUNDS replays.
// Why both: V8's warm-up lasts the first ~5-15k packets of a fresh process at 2-10 µs each
// (Turbofan compiles the datapath and the three generated programs on one spare core, and the
// packets meanwhile run in V8's baseline tiers), which is ~25% of a 200k-packet file. It made the
// compiled figure depend on whether the interpreter rounds had run first (run it alone with
// REPLAY_ENGINES=compiled for the fresh-process figure).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadObjectFile } from '../src/bpf/elf/index.js';
import type { Engine } from '../src/bpf/jit/engine.js';
import type { MapSpec, ObjectSpec } from '../src/bpf/spec.js';
import { World } from '../src/netdev/world.js';
import { buildEthIpv4Tcp, buildEthIpv4Udp } from '../src/packet/index.js';
import { openCapture } from '../src/pcap/reader.js';
import { PcapWriter } from '../src/pcap/pcap-writer.js';
import { Machine } from '../src/scenario/machine.js';
import { feedFrame } from '../src/scenario/traffic.js';
import { tail } from '../src/tcx/anchor.js';

const PACKETS = 200_000;
const WARM_PACKETS = 50_000;
const ROUNDS = 4;
const FLOWS = 512;
const dir = mkdtempSync(join(tmpdir(), 'tcxsim-bench-'));
const input = join(dir, 'in.pcap');

function writeInput(): void {
  const w = PcapWriter.create(input, { nanosecond: true });
  const frames: Uint8Array[] = [];
  for (let f = 0; f < FLOWS; f++) {
    const o = { src: `10.1.${f >> 8}.${f & 255}`, dst: '10.2.0.1', sport: 1024 + f, dport: 80, payload: new Uint8Array(f % 64) };
    frames.push(f % 4 === 0 ? buildEthIpv4Udp(o) : buildEthIpv4Tcp(o));
  }
  for (let i = 0; i < PACKETS; i++) w.writeParts(frames[(i * 7919) % FLOWS], 1_700_000_000 + Math.floor(i / 100_000), (i % 100_000) * 10_000);
  w.close();
}

/** libbpf's skeleton step `rodata->out_ifindex = N` before load. */
function withOutIfindex(spec: ObjectSpec, ifindex: number): ObjectSpec {
  const maps = new Map(spec.maps);
  const ro = maps.get('.rodata') as MapSpec;
  const value = new Uint8Array(4);
  new DataView(value.buffer).setUint32(0, ifindex, true);
  maps.set('.rodata', { ...ro, contents: [{ key: new Uint8Array(4), value }] });
  return { ...spec, maps };
}

interface Replay {
  /** World, object load, attach (and compile) before the first packet, in ms. */
  setupMs: number;
  /** Packets per second over the whole file. */
  pps: number;
  /** Packets per second after the first WARM_PACKETS. */
  steady: number;
  out: number;
}

function replayOnce(engine: Engine): Replay {
  const t0 = process.hrtime.bigint();
  const world = new World();
  const eth0 = world.addWire('init', 'eth0');
  const eth1 = world.addWire('init', 'eth1');
  const m = new Machine(world, { engine });
  const obj = m.sim.loadObject(withOutIfindex(loadObjectFile('bpf/replay_chain.o'), eth1.ifindex));
  for (const name of ['chain_parse', 'chain_count', 'chain_rewrite']) {
    m.bridge.tcx.attachTcx({ dev: m.bridge.device(eth0), hook: 'ingress', prog: m.bridge.program(obj.program(name)), anchor: tail() });
  }
  m.bridge.changed();
  const out = PcapWriter.create(join(dir, `out-${engine}.pcap`), { nanosecond: true });
  const clock = m.sim.clock;
  m.datapath.capture = { wire: (_dev, frame) => out.write(frame, clock.realtimeNs) };
  const start = process.hrtime.bigint();
  let mid = start;
  let n = 0;
  // reader.next(), as src/scenario/traffic.ts and replay.ts read: no generator to resume per record;
  // each packet fed as they feed it (feedFrame: run to the end, then the maps' grace period)
  const reader = openCapture(input);
  for (let rec = reader.next(); rec !== null; rec = reader.next()) {
    if (n++ === WARM_PACKETS) mid = process.hrtime.bigint();
    clock.advanceTo(rec.ts);
    feedFrame(m, eth0, rec.data, false);
  }
  out.close();
  const end = process.hrtime.bigint();
  return { setupMs: Number(start - t0) / 1e6, pps: PACKETS / (Number(end - start) / 1e9), steady: (PACKETS - WARM_PACKETS) / (Number(end - mid) / 1e9), out: out.count };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

writeInput();
console.log(`replay: ${PACKETS} packets, ${FLOWS} flows, pcap in → tcx ingress [parse, count, rewrite] → redirect → pcap out`);
const result: Record<string, number> = {};
// REPLAY_ENGINES=compiled limits the run to one engine (for profiling).
const engines = (process.env.REPLAY_ENGINES?.split(',') ?? ['interpreter', 'compiled']) as Engine[];
const rate = (pps: number): string => `${(pps / 1e6).toFixed(3)} M packets/s (${(1e9 / pps).toFixed(0)} ns/packet)`;
for (const engine of engines) {
  const runs = Array.from({ length: ROUNDS }, () => replayOnce(engine));
  if (runs.some((r) => r.out !== PACKETS)) throw new Error(`replay (${engine}): ${runs.map((r) => r.out).join('/')} packets out of ${PACKETS}`);
  result[engine] = median(runs.map((r) => r.steady));
  console.log(`  ${engine.padEnd(11)} steady ${rate(result[engine])}; whole file, first replay ${rate(runs[0].pps)} after ${runs[0].setupMs.toFixed(1)} ms setup`);
}
if (result.compiled && result.interpreter) {
  console.log(`  compiled / interpreter (steady): ${(result.compiled / result.interpreter).toFixed(2)}×; goal 1 M packets/s: ${(result.compiled / 1e6).toFixed(2)}× of it`);
}
console.log(`  (steady: packets ${WARM_PACKETS / 1000}k-${PACKETS / 1000}k of each replay, median of ${ROUNDS}; a replay's first ~15k packets pay V8's warm-up)`);
rmSync(dir, { recursive: true, force: true });
