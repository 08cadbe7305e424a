// vm.ts: the eBPF virtual machine: registers, call frames, helpers, and run()/invoke().
//
// Contract (what hooks, helpers and the loader code against):
// - `regs: Int32Array(22)`: regs[2*i] = low 32 bits of r_i, regs[2*i+1] = high 32 bits. A pointer
//   is (hi = region tag, lo = offset) in the Memory (memory.ts).
// - `helpers[id]`: `(vm) => void`; reads r1..r5 from regs, writes r0 (regs[0], regs[1]), may throw
//   BpfFault. `vm.pc` is the calling instruction, `vm.env` the per-run state the hook set (the skb).
// - Tail calls: a helper sets `vm.tailCallTarget = exe` (and keeps `vm.tailCallCount`, which run()
//   resets); right after the helper returns the VM continues at the target's pc 0 in the same
//   frame with registers unchanged (r0 is whatever the helper left).
// - `invoke(exe, funcPc, args)` runs a subprogram of `exe` reentrantly in a new frame (bpf_loop,
//   for_each_map_elem callbacks) and returns its r0's low 32 bits (high half in regs[1]).
// - `run(exe, r1?, opts?)` -> RunResult { r0 (low 32 bits, signed), r0u64, insnCount, fault? }.
//   A program fault never escapes as an exception: it comes back in `fault`, with pc and insn text.
//   `exec()` is the same run without the result object (per-packet paths): it returns the fault
//   or null, r0 stays in regs[0..1] and the count in `insnCount`.
// - An Executable is `{ name, insns }` with every lddw pseudo form already resolved by the loader
//   (map pointers (TAG_MAP_PTR, slot), map values (tag, offset), functions (TAG_FUNC, insn)).
//   The VM packs it once and caches the packed form in `exe.prepared`.
// - Stack: 512 bytes per frame, at most MAX_CALL_FRAMES (8) frames; frame k's stack is region
//   TAG_STACK0 + k and r10 = (that tag, 512). bpf-to-bpf calls save r6..r10; r1..r5 are scratch.
//   `callx rX`: (TAG_FUNC, insn) is a local call, any other value a helper id. Each frame's stack
//   is zeroed when the frame starts (the kernel does not; it makes runs repeatable here).
// - `may_goto` never jumps: the instruction budget (`insnLimit`) bounds every loop instead.
// - Legacy LD_ABS/LD_IND read the packet region (memory.packetTag) relative to skb->data at
//   `packetDataOffset` (up to `packetDataEnd`, or the region's end when -1); out of bounds ends
//   the program with r0 = 0, as the kernel does.
import { BpfFault } from './fault.js';
import type { Insn } from './insn.js';
import { Memory, Region, TAG_CTX, TAG_STACK0 } from './memory.js';
import { BPF_COMPLEXITY_LIMIT_INSNS, MAX_BPF_STACK, MAX_CALL_FRAMES } from './opcodes.js';
import { SimError } from '../errors.js';
import { describeInsn } from './interp/describe.js';
import { FRAME_SAVE, execute } from './interp/exec.js';
import { preparedOf } from './interp/prepare.js';

export type HelperFn = (vm: Vm) => void;

export interface Executable {
  readonly name: string;
  readonly insns: readonly Insn[];
  /** Owned by the VM: the packed form, built on first run. */
  prepared?: unknown;
  /** Owned by the compiled tier (src/bpf/jit): run count and compiled code. */
  jit?: unknown;
}

export interface RunOptions {
  /** Initial r2 (the conformance suite passes the memory length). */
  r2?: bigint | number;
  /** Instruction budget for this run (default: vm.insnLimit). */
  insnLimit?: number;
}

export class RunResult {
  constructor(
    /** Low 32 bits of r0 as a signed int (the kernel's `int ret` in tcx_run); 0 after a fault. */
    readonly r0: number,
    /** High 32 bits of r0. */
    readonly r0Hi: number,
    /** Instructions executed, including callbacks and tail-called programs. */
    readonly insnCount: number,
    readonly fault?: BpfFault,
  ) {}

  /** The result of the run that just ended on `vm` with `fault` (Vm.exec's answer), for either tier. */
  static of(vm: Vm, fault: BpfFault | null): RunResult {
    return fault === null ? new RunResult(vm.regs[0], vm.regs[1], vm.insnCount) : new RunResult(0, 0, vm.insnCount, fault);
  }

  /** All 64 bits of r0, unsigned. */
  get r0u64(): bigint {
    return (BigInt(this.r0Hi >>> 0) << 32n) | BigInt(this.r0 >>> 0);
  }
}

/** A 64-bit pointer value (region tag, offset), for run() and tests. */
export function pointer(tag: number, offset: number): bigint {
  return (BigInt(tag >>> 0) << 32n) | BigInt(offset >>> 0);
}

export class Vm {
  readonly regs = new Int32Array(2 * 11);
  /** The same registers as 11 doubles: exec() clears them with 11 stores instead of a 22-step loop. */
  private readonly regs64 = new Float64Array(this.regs.buffer);
  readonly helpers: (HelperFn | undefined)[] = [];
  /** Instruction index of the current helper call (for faults raised by helpers). */
  pc = 0;
  /** Per-run state set by the hook (the skb); the VM never reads it. */
  env: unknown = undefined;
  insnLimit = BPF_COMPLEXITY_LIMIT_INSNS;
  /** Instructions executed so far in this run. */
  insnCount = 0;
  tailCallTarget: Executable | null = null;
  tailCallCount = 0;
  packetDataOffset = 0;
  packetDataEnd = -1;
  /** The executable whose code is running (changes on tail calls and returns). */
  current: Executable | null = null;
  /** Call-frame depth of the running code (0 = the program's main function). */
  depth = 0;
  /** Saved r6..r10 (10 halves) per frame, return pcs and executables: interpreter-owned. */
  readonly frameRegs = new Int32Array(MAX_CALL_FRAMES * FRAME_SAVE);
  readonly frameRet = new Int32Array(MAX_CALL_FRAMES);
  readonly frameExe: (Executable | null)[] = new Array<Executable | null>(MAX_CALL_FRAMES).fill(null);
  private readonly stacks: Region[] = [];
  /** Frame 0's stack as 8-byte words, for the per-run zeroing in exec(). */
  private readonly stack0Words: Float64Array;
  private running = false;

  constructor(readonly memory: Memory = new Memory()) {
    for (let k = 0; k < MAX_CALL_FRAMES; k++) {
      const region = new Region(k === 0 ? 'stack' : `stack of frame ${k}`, new Uint8Array(MAX_BPF_STACK), true);
      this.stacks.push(region);
      memory.set(TAG_STACK0 + k, region);
    }
    this.stack0Words = new Float64Array(this.stacks[0].bytes.buffer, 0, MAX_BPF_STACK / 8);
  }

  /** Gives frame `depth` a zeroed stack and points r10 at its top. */
  setFrameStack(depth: number): void {
    const stack = this.stacks[depth];
    stack.bytes.fill(0);
    // (re)install: another Vm sharing this Memory may have put its own stack at the tag
    this.memory.regions[TAG_STACK0 + depth] = stack;
    this.regs[20] = MAX_BPF_STACK;
    this.regs[21] = TAG_STACK0 + depth;
  }

  /** r_i as an unsigned 64-bit BigInt (for helpers' slow paths and tests). */
  reg(i: number): bigint {
    return (BigInt(this.regs[2 * i + 1] >>> 0) << 32n) | BigInt(this.regs[2 * i] >>> 0);
  }

  setReg(i: number, value: bigint | number): void {
    setPair(this.regs, 2 * i, value);
  }

  /**
   * Runs `exe` from its first instruction. r1 defaults to the context pointer (TAG_CTX, 0);
   * a number or bigint is taken as r1's 64-bit value.
   */
  run(exe: Executable, r1?: bigint | number, opts?: RunOptions): RunResult {
    return this.runWith(exe, r1, opts, interpretMain, 0);
  }

  /**
   * run() with `enter` in place of the interpreter loop: how the compiled tier runs a program
   * with the same setup, budget and fault handling. Frame 0's stack is zeroed from `stackLow`
   * (bytes below it are ones the program can never address).
   */
  runWith(exe: Executable, r1: bigint | number | undefined, opts: RunOptions | undefined, enter: (vm: Vm, exe: Executable) => void, stackLow: number): RunResult {
    return RunResult.of(this, this.exec(exe, r1, opts, enter, stackLow));
  }

  /**
   * runWith() without the result object, for hooks that run a program per packet: returns the
   * fault (r0 then counts as 0, as in RunResult), or null with r0 in regs[0] (low) and regs[1]
   * (high); the instruction count is in `insnCount` either way.
   */
  exec(exe: Executable, r1: bigint | number | undefined, opts: RunOptions | undefined, enter: (vm: Vm, exe: Executable) => void, stackLow: number): BpfFault | null {
    if (this.running) throw new SimError('EBUSY', `run ${exe.name}: this VM is already running a program`);
    const regs = this.regs;
    // a per-run budget replaces the VM's for this run only (restored below); most runs pass none
    const savedLimit = this.insnLimit;
    const ownLimit = opts !== undefined && opts.insnLimit !== undefined;
    if (ownLimit) this.insnLimit = opts.insnLimit!;
    // 11 straight stores of +0.0 (all bits zero): cheaper than regs.fill(0) or a 22-step loop,
    // which re-checks the array on every pass (measured ~7 ns a run on parse_count)
    const r64 = this.regs64;
    r64[0] = 0; r64[1] = 0; r64[2] = 0; r64[3] = 0; r64[4] = 0; r64[5] = 0;
    r64[6] = 0; r64[7] = 0; r64[8] = 0; r64[9] = 0; r64[10] = 0;
    if (r1 === undefined) regs[3] = TAG_CTX;
    else setPair(regs, 2, r1);
    if (opts !== undefined && opts.r2 !== undefined) setPair(regs, 4, opts.r2);
    this.insnCount = 0;
    this.tailCallCount = 0;
    this.tailCallTarget = null;
    this.depth = 0;
    this.pc = 0;
    this.current = exe;
    if (stackLow < MAX_BPF_STACK) zeroFrom(this.stack0Words, stackLow);
    regs[20] = MAX_BPF_STACK;
    regs[21] = TAG_STACK0;
    this.running = true;
    // no `finally`: both ways out reset the state themselves (measured ~2 ns a run cheaper)
    let fault: BpfFault | null = null;
    try {
      enter(this, exe);
    } catch (e) {
      fault = this.asFault(e);
    }
    this.running = false;
    if (ownLimit) this.insnLimit = savedLimit;
    return fault;
  }

  /**
   * Runs the subprogram at `funcPc` of `exe` in a new frame on top of the calling helper's, with
   * r1..r5 from `args` ((lo, hi) int32 pairs, or BigInts); r6..r10 of the caller are preserved.
   * Returns r0's low 32 bits; a fault propagates (it ends the whole run).
   */
  invoke(exe: Executable, funcPc: number, args?: ArrayLike<number> | readonly bigint[]): number {
    const regs = this.regs;
    const depth = this.depth;
    const pc = this.pc;
    const current = this.current;
    if (depth + 1 >= MAX_CALL_FRAMES) {
      throw new BpfFault('call_depth', pc, `callback would nest ${depth + 2} frames (the kernel allows ${MAX_CALL_FRAMES})`);
    }
    const p = preparedOf(exe);
    if (funcPc < 0 || funcPc >= exe.insns.length || p.second[funcPc] !== 0) {
      throw new BpfFault('helper_fault', pc, `callback insn ${funcPc} is outside ${exe.name}`);
    }
    // the frame slot of the calling depth is free while its helper runs: park r6..r10 there
    const save = this.frameRegs;
    const b = depth * FRAME_SAVE;
    for (let k = 0; k < FRAME_SAVE; k++) save[b + k] = regs[12 + k];
    for (let k = 2; k < 12; k++) regs[k] = 0;
    if (args !== undefined) {
      if (args.length > 0 && typeof args[0] === 'bigint') {
        const big = args as readonly bigint[];
        for (let k = 0; k < big.length && k < 5; k++) setPair(regs, 2 + 2 * k, big[k]);
      } else {
        const pairs = args as ArrayLike<number>;
        for (let k = 0; k < pairs.length && k < 10; k++) regs[2 + k] = pairs[k];
      }
    }
    this.setFrameStack(depth + 1);
    execute(this, exe, funcPc, depth + 1);
    for (let k = 0; k < FRAME_SAVE; k++) regs[12 + k] = save[b + k];
    this.depth = depth;
    this.pc = pc;
    this.current = current;
    return regs[0];
  }

  /** Any exception out of a run becomes a BpfFault with the instruction located. */
  private asFault(e: unknown): BpfFault {
    let fault: BpfFault;
    if (e instanceof BpfFault) fault = e;
    else {
      const msg = e instanceof Error ? e.message : String(e);
      fault = new BpfFault('helper_fault', this.pc, `helper failed: ${msg}`);
    }
    if (fault.pc < 0) fault.pc = this.pc;
    if (fault.insnText === '' && this.current !== null) fault.insnText = describeInsn(this.current.insns, fault.pc);
    return fault;
  }
}

/** The interpreter as an `enter` for exec()/runWith(). */
export function interpretMain(vm: Vm, exe: Executable): void {
  execute(vm, exe, 0, 0);
}

/**
 * Zeroes the stack from byte `from` (rounded down to a word: bytes below `from` are never
 * addressed, so zeroing a few more changes nothing). Word stores for the few bytes most
 * programs use cost less than the builtin fill's call.
 */
function zeroFrom(words: Float64Array, from: number): void {
  const n = words.length;
  const k0 = from >> 3;
  if (n - k0 > 16) words.fill(0, k0);
  else for (let k = k0; k < n; k++) words[k] = 0;
}

function setPair(regs: Int32Array, at: number, value: bigint | number): void {
  if (typeof value === 'bigint') {
    const u = BigInt.asUintN(64, value);
    regs[at] = Number(u & 0xffffffffn) | 0;
    regs[at + 1] = Number(u >> 32n) | 0;
  } else {
    regs[at] = value | 0;
    regs[at + 1] = Math.floor(value / 0x100000000) | 0;
  }
}
