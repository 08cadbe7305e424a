// index.ts: `import { scenario } from 'tcxsim/testing'`: scenarios as vitest tests. Build a
// topology and load programs from a scenario object (or YAML text/file), then drive it step by
// step — attach in a given order, send packets — and assert on what happened:
//
//   const t = scenario({ namespaces: { init: { devices: { eth0: { kind: 'wire' } } } },
//                        programs: { drop: { asm: 'r0 = 2\nexit' } } });
//   expect(t.attach('eth0', 'ingress', 'drop')).toBe('ok');
//   expect(t.inject('eth0', { ipv4: { src: '10.0.0.2', dst: '10.0.0.1' }, udp: { sport: 1, dport: 2 } })[0].reason).toBe('tc_ingress');
//
// Control-plane calls return "ok" or the errno name; packet calls return the fates of the
// packets they caused. Nothing is written to disk.
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import type { BpfMap } from '../bpf/maps/map.js';
import { SimError } from '../errors.js';
import type { PacketFate } from '../netdev/accounting.js';
import type { Hook } from '../netdev/datapath/hooks.js';
import type { NetDevice } from '../netdev/device.js';
import { Captures, type Direction } from '../scenario/captures.js';
import { evaluate } from '../scenario/expect.js';
import { fieldEquals, frameField } from '../scenario/fields.js';
import type { Machine } from '../scenario/machine.js';
import { buildPacket, defaultMacs } from '../scenario/packets.js';
import { parseScenarioSource, readScenarioFile, type ScenarioSource } from '../scenario/parse.js';
import { buildReport, type ExpectationResult, type ScenarioReport } from '../scenario/report.js';
import { build, runScenario, type Built, type RunResult } from '../scenario/runner.js';
import type { Scenario, ScenarioAnchor, ScenarioPacket, ScenarioStep } from '../scenario/schema.js';
import { runStep, type StepResult } from '../scenario/steps.js';
import { normalizeDevPath } from '../scenario/topology.js';
import { DEFAULT_GAP_NS, feedFrame } from '../scenario/traffic.js';

export type { Scenario, ScenarioPacket, ScenarioReport, StepResult, PacketFate, RunResult, ExpectationResult };
export { frameField, fieldEquals };

export interface AttachOptions {
  anchor?: ScenarioAnchor;
  expectedRevision?: number;
}

export class TestScenario {
  readonly machine: Machine;
  readonly captures: Captures;
  readonly steps: StepResult[];
  private readonly built: Built;
  private packets = 0;
  private bytes = 0;

  constructor(src: ScenarioSource) {
    this.built = build(src, { keepFates: true });
    this.machine = this.built.machine;
    this.steps = this.built.steps;
    this.captures = new Captures(this.machine.sim.clock, true);
    this.machine.datapath.capture = this.captures.callbacks();
  }

  // ------------------------------------------------------------ control plane

  /** BPF_PROG_ATTACH of a scenario program (tcx), at the tail unless an anchor says otherwise. */
  attach(dev: string, hook: Hook, prog: string, o: AttachOptions = {}): string {
    return this.step({ tcx: { dev, hook, prog, anchor: o.anchor, expected_revision: o.expectedRevision } });
  }

  /** BPF_LINK_CREATE: a tcx link named `name` (refer to it as `link:name` in anchors). */
  link(name: string, dev: string, hook: Hook, prog: string, o: AttachOptions = {}): string {
    return this.step({ link: { name, dev, hook, prog, anchor: o.anchor, expected_revision: o.expectedRevision } });
  }

  updateLink(link: string, prog: string, o: { old?: string } = {}): string {
    return this.step({ link_update: { link, prog, old: o.old } });
  }

  detachLink(link: string): string {
    return this.step({ link_detach: { link } });
  }

  detach(dev: string, hook: Hook, prog?: string, o: AttachOptions = {}): string {
    return this.step({ detach: { dev, hook, prog, anchor: o.anchor, expected_revision: o.expectedRevision } });
  }

  /** A direct-action cls_bpf filter (the device needs `clsact: true`). */
  filter(dev: string, hook: Hook, prog: string, o: { prio?: number; handle?: number; da?: boolean } = {}): string {
    return this.step({ filter: { dev, hook, prog, prio: o.prio, handle: o.handle, da: o.da } });
  }

  private step(step: ScenarioStep): string {
    const r = runStep({ machine: this.machine, programs: this.built.loaded.programs, links: this.built.links }, step, this.steps.length, () => 'testing');
    this.steps.push(r);
    return r.result;
  }

  // ------------------------------------------------------------ traffic

  /** Frames arriving on a port from outside; returns the fates of every packet this caused. */
  inject(port: string, packets: ScenarioPacket | ScenarioPacket[] | Uint8Array): PacketFate[] {
    return this.feed(this.machine.device(normalizeDevPath(port)), packets, false);
  }

  /** Frames a host in the device's namespace sends out of it (AF_PACKET). */
  send(devPath: string, packets: ScenarioPacket | ScenarioPacket[] | Uint8Array): PacketFate[] {
    return this.feed(this.machine.device(normalizeDevPath(devPath)), packets, true);
  }

  private feed(dev: NetDevice, packets: ScenarioPacket | ScenarioPacket[] | Uint8Array, send: boolean): PacketFate[] {
    const fates = this.machine.datapath.accounting.fates;
    const before = fates.length;
    const macs = defaultMacs(dev, send);
    const list = packets instanceof Uint8Array ? [packets] : (Array.isArray(packets) ? packets : [packets]).flatMap((p) => Array<Uint8Array>(p.count ?? 1).fill(buildPacket(p, macs)));
    for (const f of list) {
      if (this.packets > 0) this.machine.sim.clock.advanceBy(DEFAULT_GAP_NS);
      feedFrame(this.machine, dev, f, send);
      this.packets++;
      this.bytes += f.length;
    }
    return fates.slice(before);
  }

  // ------------------------------------------------------------ outcomes

  /** Scenario program names on a hook, in run order. */
  order(dev: string, hook: Hook): string[] {
    const q = this.machine.bridge.tcx.query(this.machine.device(normalizeDevPath(dev)).path, hook);
    return q.programs.map((p) => this.built.loaded.names.get(p.id) ?? `prog ${p.id}`);
  }

  revision(dev: string, hook: Hook): number {
    return this.machine.bridge.tcx.query(this.machine.device(normalizeDevPath(dev)).path, hook).revision;
  }

  /** What a program returned so far, e.g. { ok: 2, shot: 1 }. */
  verdicts(prog: string): Record<string, number> {
    const p = this.built.loaded.programs.get(prog);
    if (!p) throw new SimError('ENOENT', `no program ${prog}`);
    return this.machine.verdicts.of(p.id);
  }

  /** Frames seen at a capture point (rx: before tc ingress; tx: after tc egress). */
  captured(dev: string, direction: Direction): Uint8Array[] {
    return this.captures.point(normalizeDevPath(dev), direction).frames ?? [];
  }

  /** A field of a captured frame (`ipv4.dst`, `udp.dport`, `tcp.checksum_ok`, ...). */
  field(dev: string, direction: Direction, index: number, name: string): string | number | boolean | undefined {
    const f = this.captured(dev, direction)[index];
    if (!f) throw new SimError('ENOENT', `${dev} ${direction} has ${this.captured(dev, direction).length} frames, no frame ${index}`);
    return frameField(f, name);
  }

  /** A map by `object/map` (or a map name unique among the objects). */
  map(name: string): BpfMap {
    const maps = this.built.loaded.maps;
    const m = maps.get(name) ?? [...maps].find(([k]) => k.endsWith(`/${name}`))?.[1];
    if (!m) throw new SimError('ENOENT', `no map ${name} (have ${[...maps.keys()].join(', ')})`);
    return m;
  }

  /** Drops by reason so far. */
  drops(): Record<string, number> {
    return Object.fromEntries(this.machine.datapath.accounting.drops);
  }

  delivered(ns: string): number {
    return this.machine.datapath.accounting.deliveredByNs.get(ns) ?? 0;
  }

  get tracePipe(): readonly string[] {
    return this.machine.sim.tracePipe;
  }

  /** The scenario's own `expect` list, evaluated now. */
  expectations(): ExpectationResult[] {
    return evaluate(this.built.src.scenario.expect ?? [], { m: this.machine, loaded: this.built.loaded, links: this.built.links, captures: this.captures }, this.built.src.where);
  }

  /** The JSON report `tcxsim run` would write, for the state so far. */
  report(): ScenarioReport {
    return buildReport({
      name: this.built.name,
      file: this.built.src.file,
      m: this.machine,
      loaded: this.built.loaded,
      links: this.built.links,
      captures: this.captures,
      captureFiles: new Map(),
      totals: { packets: this.packets, bytes: this.bytes, spanNs: 0n },
      steps: this.steps,
      expectations: this.expectations(),
      files: [],
    });
  }
}

/**
 * A scenario to drive from a test: a scenario object (the YAML file format as JS), or YAML text.
 * Relative object/pcap paths resolve against `baseDir` (default: the current directory).
 */
export function scenario(def: Scenario | string, opts: { baseDir?: string; name?: string } = {}): TestScenario {
  const file = resolve(opts.baseDir ?? '.', opts.name ?? 'test-scenario.yaml');
  const text = typeof def === 'string' ? def : stringify(def);
  return new TestScenario(parseScenarioSource(text, file));
}

/** A scenario file, ready to drive (its steps applied; its traffic not sent). */
export function scenarioFile(path: string): TestScenario {
  return new TestScenario(readScenarioFile(path));
}

/** Runs a scenario file end to end like `tcxsim run` (no output folder unless given). */
export async function runScenarioFile(path: string, opts: { outDir?: string | null } = {}): Promise<RunResult> {
  return runScenario(readScenarioFile(path), { outDir: opts.outDir ?? null, keepFates: true });
}
