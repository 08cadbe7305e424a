// tracer.ts: the per-packet trace recorder. Tracing costs nothing when off: the tracer builds,
// once, a traced copy of the VM's helper table (every helper wrapped to record its arguments,
// result, tail call or map write) and attach() swaps it into the VM; detach() puts the plain
// table back. The hook brackets each program run with beginRun/endRun (or calls run()).
//
//   tracer.attach(vm); tracer.beginPacket();
//   tracer.run(vm, prog, 'eth0 ingress', r1)  ->  RunResult, and tracer.runs gets a RunTrace
import { SimError } from '../../errors.js';
import type { HelperEnv, HelperProg } from '../helpers/env.js';
import { BPF_FUNC_map_delete_elem, BPF_FUNC_map_pop_elem, BPF_FUNC_map_push_elem, BPF_FUNC_map_update_elem } from '../helpers/maps.js';
import { helperName } from '../helpers/ids.js';
import { BPF_FUNC_tail_call, lastTailCall } from '../helpers/tail-call.js';
import { hex } from '../maps/map.js';
import { TAG_MAP_PTR } from '../memory.js';
import type { Executable, HelperFn, RunOptions, RunResult, Vm } from '../vm.js';
import { helperArity, returnsPointer } from './arity.js';
import { describeResult, describeValue, mapLabel } from './describe.js';
import type { HelperEvent, MapWriteEvent, ProgRef, RunTrace } from './record.js';

export interface TracerOptions {
  /** Runs kept; older ones are dropped first (default 100,000). */
  readonly maxRuns?: number;
}

type Table = (HelperFn | undefined)[];

const WRITE_OPS: Readonly<Record<number, MapWriteEvent['op']>> = {
  [BPF_FUNC_map_update_elem]: 'update',
  [BPF_FUNC_map_delete_elem]: 'delete',
  [BPF_FUNC_map_push_elem]: 'push',
  [BPF_FUNC_map_pop_elem]: 'pop',
};

export function progRef(exe: Executable | null): ProgRef {
  if (exe === null) return { name: '?', id: 0 };
  return { name: exe.name, id: (exe as Partial<HelperProg>).id ?? 0 };
}

/** tc verdict names (include/uapi/linux/pkt_cls.h); at tcx, -1 is TCX_NEXT. */
export function verdictName(r0: number, hook: string): string {
  switch (r0) {
    case -1:
      return /tcx/.test(hook) ? 'NEXT' : 'UNSPEC';
    case 0:
      return 'OK';
    case 1:
      return 'RECLASSIFY';
    case 2:
      return 'SHOT';
    case 3:
      return 'PIPE';
    case 4:
      return 'STOLEN';
    case 5:
      return 'QUEUED';
    case 6:
      return 'REPEAT';
    case 7:
      return 'REDIRECT';
    case 8:
      return 'TRAP';
    default:
      return '';
  }
}

export class PacketTracer {
  /** Every run recorded, oldest first; trimmed to the newest maxRuns when read through `runs`. */
  private readonly all: RunTrace[] = [];
  /** The run being recorded (helpers called outside a run are not recorded). */
  current: RunTrace | null = null;
  private packet = 0;
  private readonly maxRuns: number;
  /** Wrapper per helper id (and the plain function it wraps), so re-attaching reuses them. */
  private readonly traced: { plain: HelperFn; wrapped: HelperFn }[] = [];
  private readonly saved = new WeakMap<Vm, Table>();

  constructor(opts: TracerOptions = {}) {
    this.maxRuns = opts.maxRuns ?? 100_000;
  }

  /** The newest maxRuns runs, oldest first. */
  get runs(): RunTrace[] {
    if (this.all.length > this.maxRuns) this.all.splice(0, this.all.length - this.maxRuns);
    return this.all;
  }

  /** Swaps the traced helper table into `vm` (idempotent). */
  attach(vm: Vm): void {
    if (this.saved.has(vm)) return;
    const plain = vm.helpers.slice();
    this.saved.set(vm, plain);
    const t = this.tracedTable(plain);
    for (let i = 0; i < t.length; i++) vm.helpers[i] = t[i];
  }

  /** Puts the plain table back. */
  detach(vm: Vm): void {
    const plain = this.saved.get(vm);
    if (plain === undefined) return;
    for (let i = 0; i < plain.length; i++) vm.helpers[i] = plain[i];
    this.saved.delete(vm);
  }

  /** The traced copy of a helper table; each helper is wrapped once per tracer. */
  tracedTable(plain: Table): Table {
    return plain.map((fn, id) => {
      if (fn === undefined) return undefined;
      const known = this.traced[id];
      if (known !== undefined && known.plain === fn) return known.wrapped;
      const wrapped = id === BPF_FUNC_tail_call ? this.wrapTailCall(fn) : this.wrapHelper(id, fn);
      this.traced[id] = { plain: fn, wrapped };
      return wrapped;
    });
  }

  /** Starts the next packet: runs until the next beginPacket() share its number. */
  beginPacket(): number {
    return ++this.packet;
  }

  beginRun(prog: Executable, hook: string): RunTrace {
    if (this.current !== null) throw new SimError('EBUSY', `trace: run of ${this.current.prog.name} still open`);
    if (this.packet === 0) this.packet = 1;
    const ref = progRef(prog);
    const run: RunTrace = { packet: this.packet, hook, prog: ref, progs: [ref], r0: 0, verdict: '', insns: 0, events: [] };
    // old runs go in batches once 2 x maxRuns are held (amortised O(1) per run; shift() would
    // copy the whole array every run); the `runs` getter trims the rest
    if (this.all.length >= 2 * this.maxRuns) this.all.splice(0, this.all.length - this.maxRuns + 1);
    this.all.push(run);
    this.current = run;
    return run;
  }

  /** Closes the run with its outcome (a RunResult, or anything with r0, insnCount and fault). */
  endRun(result: Pick<RunResult, 'r0' | 'insnCount' | 'fault'>): RunTrace {
    const run = this.current;
    if (run === null) throw new SimError('EINVAL', 'trace: endRun without beginRun');
    this.current = null;
    run.r0 = result.r0;
    run.verdict = result.fault ? 'fault' : verdictName(result.r0, run.hook);
    run.insns = result.insnCount;
    if (result.fault) run.fault = { kind: result.fault.kind, pc: result.fault.pc, message: result.fault.describe() };
    return run;
  }

  /** vm.run bracketed by beginRun/endRun (attach() first for helper events). */
  run(vm: Vm, prog: Executable, hook: string, r1?: bigint | number, opts?: RunOptions): RunResult {
    this.beginRun(prog, hook);
    let result: RunResult | undefined;
    try {
      result = vm.run(prog, r1, opts);
      return result;
    } finally {
      if (result !== undefined) this.endRun(result);
      else this.current = null;
    }
  }

  /** Records where a call happened; `prog` is the code running now (after tail calls too). */
  private site(vm: Vm): { pc: number; prog: string; depth: number } {
    return { pc: vm.pc, prog: vm.current?.name ?? '?', depth: vm.depth };
  }

  private wrapHelper(id: number, fn: HelperFn): HelperFn {
    const helper = helperName(id);
    const arity = helperArity(id);
    const pointer = returnsPointer(id);
    const writeOp = WRITE_OPS[id];
    return (vm) => {
      const run = this.current;
      if (run === null) return fn(vm);
      const args: string[] = [];
      for (let i = 1; i <= arity; i++) args.push(describeValue(vm, vm.regs[2 * i], vm.regs[2 * i + 1]));
      const ev: HelperEvent = { kind: 'helper', ...this.site(vm), helper, id, args, ret: '' };
      run.events.push(ev);
      const write = writeOp === undefined ? null : pendingWrite(vm, writeOp);
      try {
        fn(vm);
      } catch (e) {
        ev.ret = 'fault';
        throw e;
      }
      ev.ret = describeResult(vm, pointer);
      if (write !== null && vm.regs[0] === 0 && vm.regs[1] === 0) run.events.push({ kind: 'map_write', ...this.site(vm), ...write.finish(vm) });
    };
  }

  private wrapTailCall(fn: HelperFn): HelperFn {
    return (vm) => {
      const run = this.current;
      if (run === null) return fn(vm);
      const site = this.site(vm);
      const from = progRef(vm.current);
      const mapId = vm.regs[5] === TAG_MAP_PTR ? vm.regs[4] : -1;
      const map = (vm.env as HelperEnv | undefined)?.maps.get(mapId);
      const index = vm.regs[6] >>> 0;
      fn(vm);
      const target = vm.tailCallTarget;
      const to = target === null ? null : progRef(target);
      const miss = to !== null ? undefined : (lastTailCall.miss ?? 'empty');
      run.events.push({ kind: 'tail_call', ...site, from, map: mapLabel(map, mapId), index, to, miss, count: vm.tailCallCount });
      if (to !== null) run.progs.push(to);
    };
  }
}

/** What a map write helper is about to write, read back once it succeeded. */
function pendingWrite(vm: Vm, op: MapWriteEvent['op']): { finish: (vm: Vm) => Pick<MapWriteEvent, 'op' | 'map' | 'key' | 'value'> } | null {
  const env = vm.env as HelperEnv | undefined;
  const map = vm.regs[3] === TAG_MAP_PTR ? env?.maps.get(vm.regs[2]) : undefined;
  if (map === undefined) return null;
  const keyPtr = [vm.regs[4], vm.regs[5]] as const;
  const valPtr = op === 'update' ? ([vm.regs[6], vm.regs[7]] as const) : op === 'delete' ? null : keyPtr;
  const keyed = op === 'update' || op === 'delete';
  return {
    finish: (after) => ({
      op,
      map: map.name || `id${map.id}`,
      key: keyed ? bytesAt(after, keyPtr, map.keySize) : '',
      value: valPtr === null ? '' : bytesAt(after, valPtr, map.valueSize),
    }),
  };
}

function bytesAt(vm: Vm, ptr: readonly [number, number], size: number): string {
  const region = vm.memory.regions[ptr[1]];
  const off = ptr[0] >>> 0;
  if (region === undefined || region.invalid !== null || off + size > region.size) return '?';
  return hex(region.bytes.subarray(off, off + size));
}
