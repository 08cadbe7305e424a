// test-run.ts: BPF_PROG_TEST_RUN for tc programs (net/bpf/test_run.c bpf_prog_test_run_skb):
// the frame becomes an skb as the kernel builds it, the program runs `repeat` times on that same
// skb (tail calls followed, redirects not executed), and data_out/ctx_out are what the kernel
// copies back. `duration` is the mean wall-clock ns per repetition, as the kernel reports it.
import { skbFromTestRun, testRunOutput } from '../bpf/context/test-run.js';
import type { BpfFault } from '../bpf/fault.js';
import type { Program } from './program.js';
import type { Simulator } from './simulator.js';

export interface TestRunOptions {
  dataIn: Uint8Array;
  /** struct __sk_buff bytes (≤ 192; only the fields the kernel accepts may be non-zero). */
  ctxIn?: Uint8Array | null;
  /** Runs on the same skb (default 1). */
  repeat?: number;
  /** Whether a ctx_out buffer is passed (affects wire_len like the kernel); default true. */
  ctxOut?: boolean;
}

export interface TestRunResult {
  /** r0's low 32 bits, unsigned, as bpftool prints it. */
  retval: number;
  dataOut: Uint8Array;
  ctxOut: Uint8Array;
  /** Mean ns per repetition (wall clock; the only non-deterministic output). */
  duration: number;
  /** Instructions executed in the last repetition (incl. tail-called programs). */
  insnCount: number;
  /** Set when the program faulted; retval is then 0 and the outputs are as the fault left them. */
  fault?: BpfFault;
}

export function testRun(sim: Simulator, prog: Program, opts: TestRunOptions): TestRunResult {
  const repeat = Math.max(1, opts.repeat ?? 1);
  const skb = skbFromTestRun(opts.dataIn, opts.ctxIn ?? null, { skb: sim.ctx.skb, ctxOut: opts.ctxOut });
  sim.env.cpu = 0;
  // the kernel JITs at load; compiling here keeps the translation out of the timed loop
  sim.compileForHook(prog);
  const regs = sim.vm.regs;
  let retval = 0;
  let fault: BpfFault | undefined;
  const start = process.hrtime.bigint();
  for (let i = 0; i < repeat; i++) {
    const f = sim.execOnSkb(prog, skb);
    if (f !== null) {
      fault = f;
      break;
    }
    retval = regs[0] >>> 0;
  }
  const insnCount = sim.vm.insnCount;
  const duration = Number((process.hrtime.bigint() - start) / BigInt(repeat));
  sim.quiesce();
  const { dataOut, ctxOut } = testRunOutput(skb, opts.ctxIn ?? null);
  return { retval, dataOut, ctxOut, duration, insnCount, fault };
}
