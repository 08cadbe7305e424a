// prog.ts: `tcxsim prog run|show|dump`, shaped like bpftool's prog commands. `prog run` is
// BPF_PROG_TEST_RUN on an object file: no root, no kernel, the kernel's results.
import type { Engine } from '../../bpf/jit/engine.js';
import { engineOption } from '../options.js';
import { writeFileSync } from 'node:fs';
import { disassemble } from '../../bpf/asm/index.js';
import { formatDump, loadMap } from '../../bpf/maps/dump.js';
import { eventToJson, formatEvent, formatTrace } from '../../bpf/trace/index.js';
import { SimError } from '../../errors.js';
import { testRun } from '../../sim/test-run.js';
import { loadForCli, mapFileArgs, readInput } from '../load.js';
import { describeMap, describeProgram } from '../show.js';
import { type Command, toModule } from './command.js';

export interface ProgRunArgs {
  obj: string;
  prog?: string;
  dataIn: string;
  dataOut?: string;
  ctxIn?: string;
  ctxOut?: string;
  repeat: number;
  mapIn?: string[];
  mapOut?: string[];
  json: boolean;
  trace: boolean;
  engine: Engine;
  cpus: number;
  seed: number;
}

/** Runs `prog run` and returns what it prints on stdout and its exit code. */
export function progRun(a: ProgRunArgs): { out: string; err: string; code: number } {
  const { sim, obj } = loadForCli(a.obj, { cpus: a.cpus, seed: a.seed, engine: a.engine });
  const prog = obj.program(a.prog);
  for (const { map, file } of mapFileArgs(a.mapIn, '--map-in')) {
    const text = new TextDecoder().decode(readInput(file, '--map-in'));
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new SimError('EFORMAT', `--map-in ${file}: not JSON: ${(e as Error).message}`);
    }
    loadMap(obj.map(map), json, file);
  }
  const outputs = mapFileArgs(a.mapOut, '--map-out').map((o) => ({ ...o, m: obj.map(o.map) }));
  const tracer = a.trace ? sim.enableTrace() : null;
  const res = testRun(sim, prog, {
    dataIn: readInput(a.dataIn, '--data-in'),
    ctxIn: a.ctxIn ? readInput(a.ctxIn, '--ctx-in') : null,
    repeat: a.repeat,
    ctxOut: a.ctxOut !== undefined,
  });
  if (a.dataOut) writeFileSync(a.dataOut, res.dataOut);
  if (a.ctxOut) writeFileSync(a.ctxOut, res.ctxOut);
  for (const o of outputs) writeFileSync(o.file, formatDump(o.m));
  const err = res.fault ? `tcxsim: ${prog.name} faulted: ${res.fault.describe()}\n` : '';
  const events = sim.events.records;
  let out: string;
  if (a.json) {
    out = `${JSON.stringify({
      retval: res.retval,
      duration: res.duration,
      ...(res.fault ? { fault: res.fault.describe() } : {}),
      ...(tracer ? { trace: tracer.runs, trace_pipe: sim.tracePipe, events: events.map(eventToJson) } : {}),
    })}\n`;
  } else {
    out = `Return value: ${res.retval}, duration${a.repeat > 1 ? ' (average)' : ''}: ${res.duration}ns\n`;
    if (tracer) {
      // formatTrace ends without a newline: the lines after it start their own
      const trace = formatTrace(tracer.runs);
      if (trace) out += `${trace}\n`;
      for (const line of sim.tracePipe) out += `${line}\n`;
      for (const e of events) out += `${formatEvent(e)}\n`;
    }
  }
  return { out, err, code: res.fault ? 1 : 0 };
}

const runCommand: Command = {
  command: 'run <obj>',
  describe: 'run a program on one frame like BPF_PROG_TEST_RUN (bpftool prog run)',
  builder: (y) =>
    y
      .positional('obj', { type: 'string', describe: 'clang-built BPF object (.o)', demandOption: true })
      .option('prog', { type: 'string', describe: 'program (function) name or section; needed when the object has several' })
      .option('data-in', { type: 'string', describe: 'frame to run on (raw bytes; - for stdin)', demandOption: true })
      .option('data-out', { type: 'string', describe: 'write the packet after the run here' })
      .option('ctx-in', { type: 'string', describe: 'struct __sk_buff input (raw bytes, ≤ 192)' })
      .option('ctx-out', { type: 'string', describe: 'write the __sk_buff after the run here' })
      .option('repeat', { type: 'number', default: 1, describe: 'run this many times on the same skb' })
      .option('map-in', { type: 'string', array: true, describe: '<map>=<file.json>: fill a map first (bpftool map dump -j shape)' })
      .option('map-out', { type: 'string', array: true, describe: '<map>=<file.json>: write a map after the run' })
      .option('cpus', { type: 'number', default: 1, describe: 'simulated CPUs (per-CPU map sizes)' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of bpf_get_prandom_u32' })
      .option('engine', engineOption)
      .option('json', { type: 'boolean', default: false, describe: 'print {"retval":R,"duration":D}' })
      .option('trace', { type: 'boolean', default: false, describe: 'print every program run: helper calls, tail calls, map writes, trace_pipe, events' }),
  handler: (args) => {
    const r = progRun(args as unknown as ProgRunArgs);
    process.stdout.write(r.out);
    process.stderr.write(r.err);
    return r.code;
  },
};

const showCommand: Command = {
  command: 'show <obj>',
  describe: 'list the programs and maps of an object, as bpftool prog/map show would once loaded',
  builder: (y) =>
    y
      .positional('obj', { type: 'string', demandOption: true })
      .option('json', { type: 'boolean', default: false }),
  handler: (args) => {
    const { obj } = loadForCli(args.obj as string);
    const progs = [...obj.programs.values()];
    const maps = [...obj.maps.values()];
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ programs: progs.map((p) => describeProgram(p).json), maps: maps.map((m) => describeMap(m).json) })}\n`);
    } else {
      process.stdout.write(progs.map((p) => describeProgram(p).text).join(''));
      if (maps.length) process.stdout.write(maps.map((m) => describeMap(m).text).join(''));
    }
    return 0;
  },
};

const dumpCommand: Command = {
  command: 'dump <obj>',
  describe: 'disassemble programs (llvm-objdump syntax) after relocation',
  builder: (y) =>
    y
      .positional('obj', { type: 'string', demandOption: true })
      .option('prog', { type: 'string', describe: 'only this program' })
      .option('raw', { type: 'boolean', default: false, describe: 'show instruction bytes' }),
  handler: (args) => {
    const { obj } = loadForCli(args.obj as string);
    const progs = args.prog ? [obj.program(args.prog as string)] : [...obj.programs.values()];
    for (const p of progs) {
      process.stdout.write(`${p.name} (section ${p.section}, ${p.insns.length} insns):\n`);
      process.stdout.write(disassemble(p.spec.insns, { funcs: p.spec.funcs, relocs: p.spec.relocs, raw: args.raw as boolean, helperNames: true }));
      process.stdout.write('\n');
    }
    return 0;
  },
};

export const progCommand: Command = {
  command: 'prog <command>',
  describe: 'run, show or disassemble BPF programs from an object file',
  builder: (y) => y.command(toModule(runCommand)).command(toModule(showCommand)).command(toModule(dumpCommand)).demandCommand(1),
  handler: () => 0,
};

export const mapCommand: Command = {
  command: 'map <command>',
  describe: 'inspect the maps of an object file',
  builder: (y) =>
    y
      .command(
        toModule({
        command: 'dump <obj>',
        describe: 'print map contents after loading (global data, static prog-array/map-in-map init) as bpftool map dump -j',
        builder: (z) => z.positional('obj', { type: 'string', demandOption: true }).option('map', { type: 'string', describe: 'only this map' }),
        handler: (args) => {
          const { obj } = loadForCli(args.obj as string);
          const maps = args.map ? [obj.map(args.map as string)] : [...obj.maps.values()];
          for (const m of maps) process.stdout.write(args.map ? formatDump(m) : `${m.name}: ${formatDump(m)}`);
        },
        }),
      )
      .demandCommand(1),
  handler: () => 0,
};
