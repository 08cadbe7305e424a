// simulator.ts: one simulated machine: memory, VM, clock, random source, and the live maps and
// programs made from object specs (the only place a spec becomes a live object with an id).
// Loading resolves every relocation into a plain 64-bit immediate the VM loads as is:
//   map pointer (TAG_MAP_PTR, map id) · map value (value region tag, offset) · func (TAG_FUNC, insn).
import { SimError } from '../errors.js';
import type { HelperEnv, PrintkSink } from '../bpf/helpers/env.js';
import { helperName } from '../bpf/helpers/ids.js';
import { helperDef, helperTable } from '../bpf/helpers/registry.js';
import '../bpf/helpers/index.js';
import { type Insn, insn as mkInsn } from '../bpf/insn.js';
import { createMap } from '../bpf/maps/create.js';
import { BpfMap } from '../bpf/maps/map.js';
import { Memory, Region, TAG_FUNC, TAG_MAP_PTR } from '../bpf/memory.js';
import { BPF_CALL, BPF_HELPER_CALL, BPF_JMP, BPF_PSEUDO_KFUNC_CALL, isLddw } from '../bpf/opcodes.js';
import { BPF_MAP_TYPE, type MapSpec, type ObjectSpec, type ProgramSpec } from '../bpf/spec.js';
import { Skb } from '../bpf/skb/skb.js';
import { SkBuffContext } from '../bpf/context/sk-buff-ctx.js';
import { RunResult, Vm } from '../bpf/vm.js';
import type { BpfFault } from '../bpf/fault.js';
import { type EngineOptions, type Engine, compileNow, execProgram } from '../bpf/jit/engine.js';
import { bindSkb } from '../bpf/context/bind.js';
import { EventStream } from '../bpf/trace/event-stream.js';
import { PacketTracer, type TracerOptions } from '../bpf/trace/tracer.js';
import { SimClock } from './clock.js';
import { Prng } from './prng.js';
import { Program } from './program.js';

export interface SimulatorOptions {
  /** Simulated CPUs (sizes per-CPU maps); default 1. */
  cpus?: number;
  /** Seed of every random choice (bpf_get_prandom_u32, MACs); default 1. */
  seed?: number;
  /** Instruction budget per program run; default 1,000,000 like the kernel's complexity limit. */
  insnLimit?: number;
  /** CLOCK_REALTIME at start, in ns. */
  clockStart?: bigint;
  /**
   * 'compiled' (default): interpret a program's first runs, then translate it to JavaScript
   * (src/bpf/jit); 'interpreter': always the reference interpreter.
   */
  engine?: Engine;
}

/** The live maps and programs made from one object file. */
export interface LoadedObject {
  readonly spec: ObjectSpec;
  readonly maps: ReadonlyMap<string, BpfMap>;
  readonly programs: ReadonlyMap<string, Program>;
  program(name?: string): Program;
  map(name: string): BpfMap;
}

export class Simulator {
  readonly memory = new Memory();
  readonly vm: Vm;
  readonly clock: SimClock;
  readonly prng: Prng;
  readonly cpus: number;
  readonly maps = new Map<number, BpfMap>();
  /** The maps with a grace period to end (hash and LPM trie slabs): quiesce() visits only these. */
  private readonly quiescing: BpfMap[] = [];
  readonly progs = new Map<number, Program>();
  /** trace_pipe lines written by bpf_trace_printk. */
  readonly tracePipe: string[] = [];
  /** perf_event_output and ring buffer records, as a user-space reader would see them. */
  readonly events = new EventStream();
  /** The per-packet trace, when enabled (enableTrace); null costs nothing per run. */
  tracer: PacketTracer | null = null;
  /** Names the hook a run is on in traces (`ns/dev ingress`); set by the datapath connection. */
  describeHook: ((skb: Skb) => string) | null = null;
  /** The helper environment every run sees through vm.env (fields updated per run). */
  readonly env: HelperEnv;
  /** The __sk_buff handler runs use (one per simulator: runs never nest). */
  readonly ctx: SkBuffContext;
  /** Which tier runs programs (see SimulatorOptions.engine). */
  readonly engine: Engine;
  private readonly engineOpts: EngineOptions;
  private nextMapId = 1;
  private nextProgId = 1;

  constructor(opts: SimulatorOptions = {}) {
    this.cpus = opts.cpus ?? 1;
    this.engine = opts.engine ?? 'compiled';
    this.engineOpts = { engine: this.engine };
    this.clock = new SimClock(opts.clockStart ?? 0n);
    this.prng = new Prng(opts.seed ?? 1);
    this.vm = new Vm(this.memory);
    if (opts.insnLimit !== undefined) this.vm.insnLimit = opts.insnLimit;
    const table = helperTable();
    for (let i = 0; i < table.length; i++) this.vm.helpers[i] = table[i];
    const sink: PrintkSink = { printk: (line) => this.tracePipe.push(line) };
    this.ctx = new SkBuffContext(this.memory, new Skb());
    this.env = {
      skb: this.ctx.skb,
      cpu: 0,
      cpus: this.cpus,
      clock: this.clock,
      prng: this.prng,
      printk: sink,
      progName: '',
      maps: this.maps,
      progs: this.progs,
      events: this.events,
    };
    this.vm.env = this.env;
  }

  /** BPF_MAP_CREATE from a spec (validated like the kernel's map_create). */
  createMap(spec: MapSpec | (Omit<MapSpec, 'contents' | 'section' | 'pinning'> & Partial<MapSpec>)): BpfMap {
    // libbpf sizes a perf event array without max_entries to the number of possible CPUs.
    const attrs = spec.type === BPF_MAP_TYPE.PERF_EVENT_ARRAY && spec.maxEntries === 0 ? { ...spec, maxEntries: this.cpus } : spec;
    const map = createMap(attrs, {
      memory: this.memory,
      cpus: this.cpus,
      allocId: () => this.nextMapId++,
      progById: (id) => this.progs.get(id),
      mapById: (id) => this.maps.get(id),
    });
    this.maps.set(map.id, map);
    if (map.quiesce !== BpfMap.prototype.quiesce) this.quiescing.push(map);
    return map;
  }

  /**
   * Runs `prog` on `skb` as a tc hook does: fresh data/data_end (bpf_compute_data_pointers),
   * r1 = the __sk_buff. Faults come back in the result, never as exceptions.
   */
  runOnSkb(prog: Program, skb: Skb, hook?: string): RunResult {
    const fault = this.execOnSkb(prog, skb, hook);
    const regs = this.vm.regs;
    return fault === null ? new RunResult(regs[0], regs[1], this.vm.insnCount) : new RunResult(0, 0, this.vm.insnCount, fault);
  }

  /**
   * runOnSkb() without the result object, for the datapath's per-packet runs: returns the fault,
   * or null with r0 in vm.regs[0] (low word) and vm.regs[1] (high word).
   */
  execOnSkb(prog: Program, skb: Skb, hook?: string): BpfFault | null {
    this.ctx.tstampTypeAccess = prog.readsTstampType;
    bindSkb(this.ctx, skb);
    const env = this.env;
    env.skb = skb;
    env.progName = prog.name;
    const vm = this.vm;
    vm.packetDataOffset = skb.data;
    const tracer = this.tracer;
    if (tracer !== null) tracer.beginRun(prog, hook ?? (this.describeHook !== null ? this.describeHook(skb) : 'test_run'));
    const fault = execProgram(vm, prog, undefined, this.engineOpts);
    if (tracer !== null) {
      tracer.endRun(fault === null ? { r0: vm.regs[0], insnCount: vm.insnCount, fault: undefined } : { r0: 0, insnCount: vm.insnCount, fault });
    }
    prog.runCount++;
    prog.insnTotal += vm.insnCount;
    return fault;
  }

  /**
   * A program attached to a hook runs once per packet: with the compiled engine it is translated
   * now, as the kernel JITs at BPF_PROG_LOAD, instead of after DEFAULT_HOT_RUNS interpreted runs.
   * Measured on the replay bench: the interpreter's warm-up (V8 optimising it for 600 runs, then
   * throwing that away) cost a fresh process more than compiling (~1 ms a program). A program the
   * compiler does not handle stays on the interpreter (engineOf says why).
   */
  compileForHook(prog: Program): void {
    if (this.engine === 'compiled') compileNow(prog);
  }

  /** Records every later program run (helper calls, tail calls, map writes) in `tracer.runs`. */
  enableTrace(opts: TracerOptions = {}): PacketTracer {
    if (this.tracer === null) {
      this.tracer = new PacketTracer(opts);
      this.tracer.attach(this.vm);
    }
    return this.tracer;
  }

  /** End of a run's RCU read section: storage programs freed may be reused from now on. */
  quiesce(): void {
    const q = this.quiescing;
    for (let i = 0; i < q.length; i++) q[i]!.quiesce();
  }

  /** Creates the object's maps, fills their initial contents, and loads every program. */
  loadObject(spec: ObjectSpec): LoadedObject {
    const maps = new Map<string, BpfMap>();
    for (const m of spec.maps.values()) maps.set(m.name, this.createMap(m));
    const programs = new Map<string, Program>();
    for (const p of spec.programs.values()) programs.set(p.name, this.loadProgram(p, maps, spec.file));
    for (const m of spec.maps.values()) this.fillMap(m, maps, programs, spec.file);
    return {
      spec,
      maps,
      programs,
      program: (name?: string): Program => {
        if (name === undefined) {
          if (programs.size !== 1) {
            throw new SimError('EINVAL', `${spec.file}: has ${programs.size} programs (${[...programs.keys()].join(', ')}); name one`);
          }
          return programs.values().next().value as Program;
        }
        const p = programs.get(name) ?? [...programs.values()].find((x) => x.section === name);
        if (!p) throw new SimError('ENOENT', `${spec.file}: no program ${name} (have ${[...programs.keys()].join(', ')})`);
        return p;
      },
      map: (name: string): BpfMap => {
        const m = maps.get(name);
        if (!m) throw new SimError('ENOENT', `${spec.file}: no map ${name} (have ${[...maps.keys()].join(', ')})`);
        return m;
      },
    };
  }

  /** BPF_PROG_LOAD: resolves relocations against `maps` and checks every helper call. */
  loadProgram(spec: ProgramSpec, maps: ReadonlyMap<string, BpfMap>, file = '<program>'): Program {
    const where = `${file}: program ${spec.name}`;
    const insns: Insn[] = spec.insns.map((x) => ({ ...x }));
    const used: BpfMap[] = [];
    const useMap = (name: string, at: number): BpfMap => {
      const m = maps.get(name);
      if (!m) throw new SimError('ENOENT', `${where}: insn ${at}: references map ${name}, which the object does not define`);
      if (!used.includes(m)) used.push(m);
      return m;
    };
    for (const r of spec.relocs) {
      const lo = insns[r.insn];
      const hi = insns[r.insn + 1];
      if (!lo || !hi || !isLddw(lo.code)) {
        throw new SimError('EINVAL', `${where}: insn ${r.insn}: relocation does not point at an lddw`);
      }
      let value: { hi: number; lo: number };
      switch (r.kind) {
        case 'map':
          value = { hi: TAG_MAP_PTR, lo: useMap(r.map, r.insn).id };
          break;
        case 'map_value': {
          const m = useMap(r.map, r.insn);
          value = mapValuePointer(m, r.offset, where, r.insn);
          break;
        }
        case 'func':
          value = { hi: TAG_FUNC, lo: r.target };
          break;
        case 'ksym':
          throw new SimError('ENOENT', `${where}: insn ${r.insn}: kernel symbol ${r.symbol} is not available in tcxsim`);
      }
      insns[r.insn] = mkInsn(lo.code, lo.dst, 0, 0, value.lo);
      insns[r.insn + 1] = mkInsn(0, 0, 0, 0, value.hi);
    }
    this.checkCalls(spec, insns, where);
    const prog = new Program(this.nextProgId++, spec, insns, used);
    for (const m of used) {
      const owner = m as BpfMap & { compatible?: (p: Program) => boolean };
      if (m.type === BPF_MAP_TYPE.PROG_ARRAY && owner.compatible && !owner.compatible(prog)) {
        throw new SimError('EINVAL', `${where}: prog array ${m.name} belongs to programs of another type`);
      }
    }
    this.progs.set(prog.id, prog);
    return prog;
  }

  /** Refuses, at load time, helper ids tcxsim does not implement and GPL-only helpers from non-GPL code. */
  private checkCalls(spec: ProgramSpec, insns: readonly Insn[], where: string): void {
    const gpl = isGplCompatible(spec.license);
    for (let i = 0; i < insns.length; i++) {
      const x = insns[i];
      if (isLddw(x.code)) {
        i++;
        continue;
      }
      if (x.code !== (BPF_JMP | BPF_CALL)) continue;
      if (x.src === BPF_PSEUDO_KFUNC_CALL) {
        throw new SimError('EINVAL', `${where}: insn ${i}: kfunc calls are not supported by tcxsim`);
      }
      if (x.src !== BPF_HELPER_CALL) continue;
      const def = helperDef(x.imm);
      if (!def) {
        throw new SimError('EINVAL', `${where}: insn ${i}: calls ${helperName(x.imm)}#${x.imm}, which tcxsim does not implement`);
      }
      if (def.gplOnly && !gpl) {
        throw new SimError('EINVAL', `${where}: insn ${i}: cannot call GPL-restricted function ${helperName(x.imm)} from non-GPL compatible program (license "${spec.license}")`);
      }
    }
  }

  /** Initial contents: global data sections, `__array(values, ...)` prog arrays and map-in-maps. */
  private fillMap(spec: MapSpec, maps: Map<string, BpfMap>, programs: Map<string, Program>, file: string): void {
    const map = maps.get(spec.name)!;
    for (const e of spec.contents) {
      if ('value' in e) {
        map.update(e.key, e.value);
      } else {
        const key = u32(e.key);
        if ('prog' in e) {
          const p = programs.get(e.prog);
          if (!p) throw new SimError('ENOENT', `${file}: map ${spec.name}[${e.key}]: no program ${e.prog}`);
          map.update(key, u32(p.id));
        } else {
          const inner = maps.get(e.map);
          if (!inner) throw new SimError('ENOENT', `${file}: map ${spec.name}[${e.key}]: no map ${e.map}`);
          map.update(key, u32(inner.id));
        }
      }
    }
    // libbpf freezes .rodata after initialising it.
    if (spec.globalData === 'rodata') map.freeze();
  }
}

const KEY0 = new Region('key', new Uint8Array(4), false);

/** (tag, offset) of byte `offset` in element 0 of an array-like map (global data). */
function mapValuePointer(m: BpfMap, offset: number, where: string, at: number): { hi: number; lo: number } {
  const base = m.progLookup(KEY0, 0, 0);
  if (base < 0 || m.valueTag < 0) {
    throw new SimError('EINVAL', `${where}: insn ${at}: map ${m.name} has no directly addressable value`);
  }
  if (offset < 0 || offset >= m.valueSize) {
    throw new SimError('EINVAL', `${where}: insn ${at}: offset ${offset} is outside map ${m.name}'s ${m.valueSize}-byte value`);
  }
  return { hi: m.valueTag, lo: base + offset };
}

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

/** license_is_gpl_compatible (include/linux/license.h). */
export function isGplCompatible(license: string): boolean {
  return ['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL'].includes(license);
}

