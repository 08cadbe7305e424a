// runtime.ts: what compiled code calls off its fast paths: memory slow paths (context handlers,
// map value slabs, faults) through the interpreter's own access.ts, helper/callx/tail-call plumbing,
// LD_ABS/LD_IND, and the bail-out that hands a frame to the interpreter when the budget runs short.
// Faults keep the interpreter's kinds, pcs and texts; `state.synced` marks a fault whose registers
// are already in vm.regs, so each compiled frame's catch writes its locals back only once.
import { BpfFault } from '../fault.js';
import { TAG_FUNC, TAG_STACK0, type Region } from '../memory.js';
import type { Executable, Vm } from '../vm.js';
import { atomic, loadSlow, storeSlow } from '../interp/access.js';
import { bswap16, bswap32, divmod32, divmod64, mulhu } from '../interp/arith.js';
import { checkCallxTarget, packetLoad, pushFrame } from '../interp/calls.js';
import { execute } from '../interp/exec.js';
import { preparedOf } from '../interp/prepare.js';
import { SkBuffContext } from '../context/sk-buff-ctx.js';
import { BPF_FUNC_map_lookup_elem } from '../helpers/maps.js';
import { helperDef } from '../helpers/registry.js';
import type { HelperEnv } from '../helpers/env.js';
import type { BpfMap } from '../maps/map.js';
import { BPF_MAP_TYPE } from '../spec.js';

/** A compiled function entry: runs the frame at `depth` (its r10 in vm.regs) until it exits. */
export type EntryFn = (vm: Vm, depth: number) => void;

/** Compiled code of one executable: an entry per function start (insn index). */
export interface CompiledCode {
  readonly entries: ReadonlyMap<number, EntryFn>;
  readonly main: EntryFn;
  /** Frame-stack bytes below this offset are never addressed (stack.ts). */
  readonly stackLow: number;
  /** `main` at frame 0, in the shape Vm.runWith takes. */
  readonly enter: (vm: Vm) => void;
}

/** Per-process run state shared by all compiled code (JavaScript runs one program at a time). */
export const state = {
  /** The fault whose registers and instruction count are already in the VM. */
  synced: null as unknown,
  /** Frame 0's stack is zeroed whole for this run (see tail()). */
  stackWhole: false,
  /** Resolves a tail-call target's compiled code (set by the engine), or null to interpret it. */
  codeFor: (_exe: Executable): CompiledCode | null => null,
};

const SCRATCH = new Int32Array(2);

/** Slow load: context handler, slab, or fault. Returns the low word; the high word is in SCRATCH[1]. */
function ld(rg: readonly Region[], hi: number, o: number, size: number, signed: boolean, pc: number): number {
  const r = hi >= 0 ? rg[hi] : undefined;
  if (r !== undefined && r.ctx !== null && r.invalid === null && !signed) {
    // the common slow case, straight to the handler (loadSlow's ctx branch without the detour)
    r.ctx.load(o >>> 0, size, SCRATCH, 0, pc);
    return SCRATCH[0];
  }
  loadSlow(rg, SCRATCH, hi, o, size, signed, 0, pc);
  return SCRATCH[0];
}

function ldHi(): number {
  return SCRATCH[1];
}

function st(rg: readonly Region[], hi: number, o: number, size: number, lo: number, vhi: number, pc: number, fromImm: boolean): void {
  storeSlow(rg, hi, o, size, lo, vhi, pc, fromImm);
}

/** 32-bit div/mod with the interpreter's rules (x/0 = 0, x%0 = x, signed forms for off = 1). */
function div32(a: number, b: number, mod: boolean, signed: boolean): number {
  SCRATCH[0] = a;
  divmod32(SCRATCH, 0, b, mod, signed);
  return SCRATCH[0];
}

/** 64-bit div/mod: returns the low word, the high word is in SCRATCH[1]. */
function div64(al: number, ah: number, bl: number, bh: number, mod: boolean, signed: boolean): number {
  SCRATCH[0] = al;
  SCRATCH[1] = ah;
  divmod64(SCRATCH, 0, bl, bh, mod, signed);
  return SCRATCH[0];
}

function unknownHelper(id: number, pc: number): BpfFault {
  return new BpfFault('unknown_helper', pc, `helper ${id} is not available`);
}

function fault(kind: BpfFault['kind'], pc: number, detail: string): BpfFault {
  return new BpfFault(kind, pc, detail);
}

/** Runs `exe` from `pc` in frame `depth` with the interpreter; its faults are already synced. */
function interpret(vm: Vm, exe: Executable, pc: number, depth: number): void {
  try {
    execute(vm, exe, pc, depth);
  } catch (e) {
    state.synced = e;
    throw e;
  }
}

/**
 * `callx rX` (interp/exec.ts 0x8d): a function pointer (TAG_FUNC, insn) is a local call (compiled
 * when that insn is a compiled entry, else interpreted), anything else a helper id. Registers
 * r0..r9 are in vm.regs; on return r0..r5 are, and a helper's pending tail call is the caller's
 * to take (compile.ts indirectCall), as after `call`.
 */
function callx(vm: Vm, exe: Executable, code: CompiledCode, lo: number, hi: number, pc: number, depth: number): void {
  if (hi === TAG_FUNC) {
    checkCallxTarget(preparedOf(exe), lo, pc);
    pushFrame(vm, depth, pc);
    const fn = code.entries.get(lo);
    if (fn !== undefined) fn(vm, depth + 1);
    else interpret(vm, exe, lo, depth + 1);
    return;
  }
  const h = hi === 0 ? vm.helpers[lo] : undefined;
  if (h === undefined) throw new BpfFault('unknown_helper', pc, `callx to ${hi}:${lo}, neither a function nor a helper id`);
  vm.pc = pc;
  vm.depth = depth;
  h(vm);
}

/**
 * bpf_tail_call taken: the target runs in this frame with the registers in vm.regs. A run zeroes
 * frame 0 only from the program's lowest stack offset `low` up (stack.ts); the target may address
 * lower, so the first tail call of a run zeroes the rest. Deeper frames are zeroed whole at entry.
 */
function tail(vm: Vm, depth: number, low: number): void {
  if (depth === 0 && !state.stackWhole) {
    vm.memory.regions[TAG_STACK0].bytes.fill(0, 0, low);
    state.stackWhole = true;
  }
  const t = vm.tailCallTarget as Executable;
  vm.tailCallTarget = null;
  vm.current = t;
  const code = state.codeFor(t);
  if (code !== null) code.main(vm, depth);
  else interpret(vm, t, 0, depth);
}

/** Instructions of the fault's block after its pc, to take back from a block's up-front count. */
function after(table: Int32Array, e: unknown): number {
  if (e instanceof BpfFault && e.pc >= 0 && e.pc < table.length) return table[e.pc];
  return 0;
}

/**
 * Map types whose program-side lookup compiled code calls directly (compile.ts directLookup):
 * progLookup neither throws nor looks at the VM, and answers a value offset or -1.
 */
const DIRECT_LOOKUP_TYPES: ReadonlySet<number> = new Set([
  BPF_MAP_TYPE.HASH,
  BPF_MAP_TYPE.ARRAY,
  BPF_MAP_TYPE.PERCPU_HASH,
  BPF_MAP_TYPE.PERCPU_ARRAY,
  BPF_MAP_TYPE.LRU_HASH,
  BPF_MAP_TYPE.LRU_PERCPU_HASH,
]);

/** The map with `id` in a run's HelperEnv when compiled code may look it up directly, else null. */
function directMap(env: unknown, id: number): BpfMap | null {
  const maps = (env as Partial<HelperEnv> | undefined)?.maps;
  const m = maps?.get(id);
  return m !== undefined && DIRECT_LOOKUP_TYPES.has(m.type) && m.lookupKind === 'value' ? m : null;
}

/** Everything generated code reaches through its `rt` parameter. */
export const rt = {
  state,
  /** The standard __sk_buff handler, whose common fields compiled code reads directly (ctx-access.ts). */
  SKB: SkBuffContext,
  /** The standard bpf_map_lookup_elem: a VM whose helper is another one takes the generic call. */
  LK: helperDef(BPF_FUNC_map_lookup_elem)?.fn,
  directMap,
  ld,
  ldHi,
  st,
  div32,
  div64,
  mulhu,
  bswap16,
  bswap32,
  atomic,
  unknownHelper,
  fault,
  interpret,
  enter: pushFrame,
  callx,
  tail,
  ldabs: packetLoad,
  after,
};

export type Runtime = typeof rt;
