// runner.ts: runs a scenario end to end.
//   1. build: topology → simulator → objects/programs/maps → control-plane steps → open traffic
//      (any problem here: SimError, exit 2, nothing written);
//   2. replay: captures stream into <out>/<ns>-<dev>.{rx,tx}.pcap while traffic runs; a capture
//      that breaks part way keeps what was replayed, and report.json + INCOMPLETE.txt say so;
//   3. judge: expectations → report.json; exit 0 (passed), 1 (an expectation or step failed).
import type { Engine } from '../bpf/jit/engine.js';
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { SimError } from '../errors.js';
import { captureFileName, Captures } from './captures.js';
import { evaluate, wantFrames } from './expect.js';
import { Machine } from './machine.js';
import { readScenarioFile, type ScenarioSource } from './parse.js';
import { loadPrograms, type LoadedPrograms } from './programs.js';
import { buildReport, reportJson, type ScenarioReport } from './report.js';
import { runStep, type StepResult } from './steps.js';
import { buildWorld, normalizeDevPath } from './topology.js';
import { prepareTraffic, runTraffic, type PreparedTraffic } from './traffic.js';
import type { Link } from '../tcx/index.js';

/** 2023-11-14T22:13:20Z: where the clock starts when neither the scenario nor a capture says. */
export const DEFAULT_CLOCK_START_NS = 1_700_000_000n * 1_000_000_000n;
export const REPORT_FILE = 'report.json';
export const NOTE_FILE = 'INCOMPLETE.txt';

export interface RunOptions {
  /** Output folder; default `out/<scenario name>/` under the current directory; null writes nothing. */
  outDir?: string | null;
  onProgress?: (packets: number, bytes: number) => void;
  /** Keep every packet's fate in the accounting (testing API). */
  keepFates?: boolean;
  /** Record every program run (helper calls, tail calls, map writes) in machine.sim.tracer. */
  trace?: boolean;
  /** Overrides the scenario's `engine`. */
  engine?: Engine;
}

export interface RunResult {
  readonly report: ScenarioReport;
  /** 0 passed, 1 an expectation or expected step result failed, 2 the run could not finish. */
  readonly exitCode: 0 | 1 | 2;
  readonly outDir: string | null;
  /** Wall-clock time of the replay (traffic only), ms. */
  readonly wallMs: number;
  readonly machine: Machine;
  readonly loaded: LoadedPrograms;
  readonly links: ReadonlyMap<string, Link>;
  readonly captures: Captures;
}

/** The state after the build phase (world, programs, steps) — also what `net show` prints. */
export interface Built {
  readonly src: ScenarioSource;
  readonly name: string;
  readonly baseDir: string;
  readonly machine: Machine;
  readonly loaded: LoadedPrograms;
  readonly links: Map<string, Link>;
  readonly steps: StepResult[];
}

export function scenarioName(src: ScenarioSource): string {
  return src.scenario.name ?? basename(src.file).replace(/\.ya?ml$/, '');
}

export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'scenario';
}

/** Topology, programs, maps and control-plane steps. A step that fails without `expect` throws. */
export function build(src: ScenarioSource, opts: { keepFates?: boolean; trace?: boolean; engine?: Engine } = {}): Built {
  const s = src.scenario;
  const baseDir = dirname(resolve(src.file));
  const world = buildWorld(s, src.where);
  let clockStart = DEFAULT_CLOCK_START_NS;
  if (s.clock?.start) {
    const ms = Date.parse(s.clock.start);
    if (Number.isNaN(ms)) throw new SimError('EINVAL', `${src.where(['clock', 'start'])}: "${s.clock.start}" is not an ISO 8601 time`);
    clockStart = BigInt(ms) * 1_000_000n;
  }
  const machine = new Machine(world, { seed: s.seed, cpus: s.cpus, clockStart, keepFates: opts.keepFates, engine: opts.engine ?? s.engine });
  if (opts.trace) machine.sim.enableTrace();
  for (const [nsName, ns] of Object.entries(s.namespaces ?? {})) {
    for (const [devName, d] of Object.entries(ns.devices ?? {})) if (d.clsact) machine.classic.addQdisc(world.device(`${nsName}/${devName}`));
  }
  const loaded = loadPrograms(machine.sim, s, baseDir, src.where);
  const links = new Map<string, Link>();
  const steps: StepResult[] = [];
  (s.steps ?? []).forEach((step, i) => {
    const r = runStep({ machine, programs: loaded.programs, links }, step, i, src.where);
    steps.push(r);
    if (!r.ok && step.expect === undefined) {
      throw new SimError(r.result === 'ok' ? 'EINVAL' : (r.result as never), `${r.at}: step ${i + 1} (${r.what}) failed: ${r.message ?? r.result}`);
    }
  });
  return { src, name: scenarioName(src), baseDir, machine, loaded, links, steps };
}

export async function runScenarioFile(file: string, opts: RunOptions = {}): Promise<RunResult> {
  return runScenario(readScenarioFile(file), opts);
}

export async function runScenario(src: ScenarioSource, opts: RunOptions = {}): Promise<RunResult> {
  const b = build(src, opts);
  const s = src.scenario;
  const m = b.machine;
  const traffic: PreparedTraffic[] = await prepareTraffic(m, s.traffic ?? [], b.baseDir, src.where);
  const captures = new Captures(m.sim.clock);
  wantFrames(s.expect ?? [], captures);
  m.datapath.capture = captures.callbacks();
  const outDir = opts.outDir === null ? null : resolve(opts.outDir ?? join('out', slug(b.name)));
  const files: string[] = [];
  const captureFiles = new Map<string, string>();
  if (outDir) {
    try {
      mkdirSync(outDir, { recursive: true });
      cleanPrevious(outDir);
      const devs = s.captures === 'none' ? [] : s.captures === undefined || s.captures === 'all' ? m.devices().map((d) => d.path) : s.captures.map((d) => m.device(normalizeDevPath(d)).path);
      for (const f of captures.open(devs, outDir)) files.push(f);
      for (const d of devs) for (const dir of ['rx', 'tx'] as const) captureFiles.set(`${d} ${dir}`, captureFileName(d, dir));
    } catch (e) {
      captures.abort();
      for (const t of traffic) if (t.kind === 'pcap') t.reader.close();
      if (e instanceof SimError) throw e;
      throw new SimError('EIO', `${outDir}: cannot write the output folder: ${(e as Error).message}`);
    }
  }
  const t0 = performance.now();
  let ran: ReturnType<typeof runTraffic>;
  try {
    ran = runTraffic(m, traffic, { onProgress: opts.onProgress, clockStarted: s.clock?.start !== undefined });
  } catch (e) {
    // An internal failure: the captures are not trustworthy; remove them and leave a note.
    captures.abort();
    if (outDir) writeFileSync(join(outDir, NOTE_FILE), `tcxsim run ${src.file}: the run failed part way and its captures were removed:\n${(e as Error).stack ?? String(e)}\n`);
    throw e;
  } finally {
    captures.close();
  }
  const wallMs = performance.now() - t0;
  const expectations = ran.error ? [] : evaluate(s.expect ?? [], { m, loaded: b.loaded, links: b.links, captures }, src.where);
  if (outDir) files.push(REPORT_FILE);
  if (outDir && ran.error) files.push(NOTE_FILE);
  const report = buildReport({
    name: b.name,
    file: src.file,
    m,
    loaded: b.loaded,
    links: b.links,
    captures,
    captureFiles,
    totals: ran.totals,
    steps: b.steps,
    expectations,
    error: ran.error ? ran.error.message : undefined,
    files,
  });
  if (outDir) {
    writeFileSync(join(outDir, REPORT_FILE), reportJson(report));
    if (ran.error) {
      writeFileSync(
        join(outDir, NOTE_FILE),
        `tcxsim run ${src.file} did not finish:\n  ${ran.error.message}\n` +
          `The captures and ${REPORT_FILE} in this folder hold the ${ran.totals.packets} packets replayed before the error; expectations were not evaluated.\n`,
      );
    }
  }
  const exitCode = report.status === 'error' ? 2 : report.status === 'failed' ? 1 : 0;
  return { report, exitCode, outDir, wallMs, machine: m, loaded: b.loaded, links: b.links, captures };
}

/** Removes what an earlier run wrote here (the files its report lists), so no stale capture survives. */
function cleanPrevious(outDir: string): void {
  const rep = join(outDir, REPORT_FILE);
  let old: string[] = [];
  if (existsSync(rep)) {
    try {
      const j = JSON.parse(readFileSync(rep, 'utf8')) as { format?: string; files?: unknown };
      if (j.format === 'tcxsim-report/1' && Array.isArray(j.files)) old = j.files.filter((f): f is string => typeof f === 'string' && !f.includes('/') && !f.includes('\\'));
    } catch {
      // not ours: leave the folder's files alone
    }
  }
  for (const f of [...old, NOTE_FILE]) {
    try {
      unlinkSync(join(outDir, f));
    } catch {
      // already gone
    }
  }
}
