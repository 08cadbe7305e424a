// engine.ts: which tier runs a program. The public surface of the compiled tier:
//
//   runProgram(vm, exe, r1?, { engine?, hotRuns?, ...RunOptions }) -> RunResult   (same as vm.run)
//     engine 'compiled' (the default): interpret the first `hotRuns` runs of an executable (default
//       DEFAULT_HOT_RUNS), then compile it once and run the compiled code from then on; a program
//       the compiler does not handle stays on the interpreter and engineOf() says why.
//     engine 'interpreter': always vm.run().
//   execProgram(vm, exe, r1?, opts?) -> BpfFault | null   the same run without a result object
//   engineOf(exe) -> { engine: 'compiled' | 'interpreter', reason? }   for `prog show`
//   compileNow(exe) compiles at once (load time), whatever the run count.
// Both tiers give the same RunResult, registers (low words; high words of r1..r9 after exit are
// unspecified in compiled code, see liveness.ts), memory, faults and helper calls; frame-0 stack
// bytes below the program's lowest reachable offset are not re-zeroed per run (stack.ts).
// Callbacks run through vm.invoke() stay on the interpreter.
import type { BpfFault } from '../fault.js';
import { interpretMain, RunResult, type Executable, type RunOptions, type Vm } from '../vm.js';
import { compileExecutable, type CompileOptions } from './compile.js';
import { state, type CompiledCode } from './runtime.js';

export type Engine = 'interpreter' | 'compiled';

/** Runs an executable is interpreted before it is compiled (the notes measured 2-4 ms to compile). */
export const DEFAULT_HOT_RUNS = 200;

export interface EngineOptions extends RunOptions {
  engine?: Engine;
  /** Interpreted runs before compiling (0: compile on the first run). */
  hotRuns?: number;
  /** Compiler options, used when this run triggers compilation. */
  compile?: CompileOptions;
}

/** What the compiled tier keeps per executable (on `exe.jit`, like the interpreter's `prepared`). */
export interface JitState {
  insns: Executable['insns'];
  runs: number;
  code: CompiledCode | null;
  /** Why the executable stays on the interpreter (null: not tried yet, or compiled). */
  reason: string | null;
  source: string;
}

type WithJit = Executable & { jit?: JitState };
const frozen = new WeakMap<Executable, JitState>();

function jitState(exe: Executable): JitState {
  const own = (exe as WithJit).jit;
  if (own !== undefined && own.insns === exe.insns) return own;
  const kept = frozen.get(exe);
  if (kept !== undefined && kept.insns === exe.insns) return kept;
  const fresh: JitState = { insns: exe.insns, runs: 0, code: null, reason: null, source: '' };
  if (Object.isExtensible(exe)) (exe as WithJit).jit = fresh;
  else frozen.set(exe, fresh);
  return fresh;
}

/** Compiles `exe` now (once); returns the code, or null with the reason kept for engineOf(). */
export function compileNow(exe: Executable, opts?: CompileOptions): CompiledCode | null {
  const st = jitState(exe);
  if (st.code !== null || st.reason !== null) return st.code;
  const res = compileExecutable(exe, opts);
  if (res.ok) {
    st.code = res.code;
    st.source = res.source;
  } else st.reason = res.reason;
  return st.code;
}

/** The tier `exe` runs on now, and why it is not compiled when it is not. */
export function engineOf(exe: Executable): { engine: Engine; reason?: string } {
  const st = jitState(exe);
  if (st.code !== null) return { engine: 'compiled' };
  if (st.reason !== null) return { engine: 'interpreter', reason: st.reason };
  return { engine: 'interpreter', reason: `not hot yet (${st.runs} runs)` };
}

/** The generated JavaScript of a compiled executable ('' when not compiled), for debugging. */
export function compiledSource(exe: Executable): string {
  return jitState(exe).source;
}

let hotRuns = DEFAULT_HOT_RUNS;
let compileOpts: CompileOptions | undefined;

/** Tail-call targets follow the same policy as the program that tail-calls them. */
state.codeFor = (exe: Executable): CompiledCode | null => {
  const st = jitState(exe);
  if (st.code !== null || st.reason !== null) return st.code;
  return st.runs++ >= hotRuns ? compileNow(exe, compileOpts) : null;
};

export function runProgram(vm: Vm, exe: Executable, r1?: bigint | number, opts?: EngineOptions): RunResult {
  if (opts?.engine === 'interpreter') return vm.run(exe, r1, opts);
  return RunResult.of(vm, execProgram(vm, exe, r1, opts));
}

/**
 * runProgram() without the result object (a hook's per-packet path): returns the fault, or null
 * with r0 in vm.regs[0..1]; the instruction count is in vm.insnCount (see Vm.exec).
 */
export function execProgram(vm: Vm, exe: Executable, r1?: bigint | number, opts?: EngineOptions): BpfFault | null {
  if (opts !== undefined && opts.engine === 'interpreter') return vm.exec(exe, r1, opts, interpretMain, 0);
  const st = jitState(exe);
  let code = st.code;
  // the tiering policy tail-call targets follow (state.codeFor): this run's
  hotRuns = opts === undefined || opts.hotRuns === undefined ? DEFAULT_HOT_RUNS : opts.hotRuns;
  compileOpts = opts === undefined ? undefined : opts.compile;
  if (code === null) {
    if (st.reason !== null || st.runs++ < hotRuns) return vm.exec(exe, r1, opts, interpretMain, 0);
    code = compileNow(exe, compileOpts);
    if (code === null) return vm.exec(exe, r1, opts, interpretMain, 0);
  }
  state.stackWhole = code.stackLow === 0;
  // No try/finally: vm.exec catches whatever the compiled frames throw, so `synced` only needs
  // clearing after a run that faulted (a later run must not mistake a reused fault object for
  // one whose registers are already written back). It is null whenever a run starts.
  const fault = vm.exec(exe, r1, opts, code.enter, code.stackLow);
  if (fault !== null) state.synced = null;
  return fault;
}
