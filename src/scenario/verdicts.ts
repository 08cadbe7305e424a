// verdicts.ts: counts what each attached program returned, per program, without touching the
// datapath: the chains the datapath runs are wrapped once per (program, hook) at load/attach
// time, and the wrapper adds one to an Int32 slot per run. Names are the tc action names
// (TC_ACT_OK → "ok"; TCX_NEXT/TC_ACT_UNSPEC → "unspec"); a fault counts as "fault".
import { BpfFault } from '../bpf/fault.js';
import type { Skb } from '../bpf/skb/skb.js';
import type { Program } from '../sim/program.js';
import type { Simulator } from '../sim/simulator.js';
import { BpfHookProgram } from '../sim/tcx-bridge.js';
import type { NetDevice } from '../netdev/device.js';
import type { Hook, HookProgram, TcxChains } from '../netdev/datapath/hooks.js';

/** Index = r0 + 1 for -1..8; 10 = any other value; 11 = fault. */
const NAMES = ['unspec', 'ok', 'reclassify', 'shot', 'pipe', 'stolen', 'queued', 'repeat', 'redirect', 'trap', 'other', 'fault'] as const;
const OTHER = 10;
const FAULT = 11;

/** Aliases accepted in expectations (tcx names, kernel macro names). */
export function canonicalVerdict(name: string): string | undefined {
  const n = name.toLowerCase().replace(/^(tc_act_|tcx_)/, '');
  const alias: Record<string, string> = { next: 'unspec', pass: 'ok', drop: 'shot', '-1': 'unspec', '0': 'ok', '2': 'shot', '7': 'redirect' };
  const c = alias[n] ?? n;
  return (NAMES as readonly string[]).includes(c) ? c : undefined;
}

export class VerdictCounter {
  /** program id → counts by NAMES index */
  readonly counts = new Map<number, Int32Array>();

  slot(progId: number): Int32Array {
    let c = this.counts.get(progId);
    if (!c) this.counts.set(progId, (c = new Int32Array(NAMES.length)));
    return c;
  }

  /** A HookProgram that counts the verdicts of `inner`. */
  wrap(inner: HookProgram): HookProgram {
    const c = this.slot(inner.id);
    return inner instanceof BpfHookProgram ? new CountedBpfProgram(inner.sim, inner.prog, c) : new CountedProgram(inner, c);
  }

  /** Non-zero counts of one program, by name. */
  of(progId: number): Record<string, number> {
    const out: Record<string, number> = {};
    const c = this.counts.get(progId);
    if (c) for (let i = 0; i < NAMES.length; i++) if (c[i]) out[NAMES[i]] = c[i];
    return out;
  }
}

/** TcxChains that hands the datapath counting wrappers of another TcxChains' programs. */
export class CountingChains implements TcxChains {
  private readonly wrapped = new Map<HookProgram, HookProgram>();
  private readonly last = new Map<NetDevice, { ingress: [readonly HookProgram[], HookProgram[]] | null; egress: [readonly HookProgram[], HookProgram[]] | null }>();

  constructor(
    private readonly inner: TcxChains,
    readonly counter: VerdictCounter,
  ) {}

  programs(dev: NetDevice, hook: Hook): readonly HookProgram[] {
    const chain = this.inner.programs(dev, hook);
    if (chain.length === 0) return chain;
    let l = this.last.get(dev);
    if (!l) this.last.set(dev, (l = { ingress: null, egress: null }));
    const memo = l[hook];
    // The inner chains are cached arrays until the next control-plane change: same array, same wrappers.
    if (memo && memo[0] === chain) return memo[1];
    const out = chain.map((p) => this.wrapOnce(p));
    l[hook] = [chain, out];
    return out;
  }

  wrapOnce(p: HookProgram): HookProgram {
    let w = this.wrapped.get(p);
    if (!w) this.wrapped.set(p, (w = this.counter.wrap(p)));
    return w;
  }
}

/** Adds a run's outcome to a program's counts and hands the outcome on. */
function count(c: Int32Array, r: number | BpfFault): number | BpfFault {
  // typeof first: a number is every run but a faulting one, and cheaper to tell than instanceof
  if (typeof r === 'number') {
    const v = r | 0;
    c[v >= -1 && v <= 8 ? v + 1 : OTHER]++;
  } else c[FAULT]++;
  return r;
}

/**
 * A live BPF program counted without a wrapper around BpfHookProgram: one call per run fewer, and
 * one class at the datapath's call site whatever the program (a closure per program would give
 * that site a new function each time, which V8 re-learns in every World).
 */
class CountedBpfProgram implements HookProgram {
  readonly id: number;
  readonly name: string;

  constructor(
    private readonly sim: Simulator,
    private readonly prog: Program,
    private readonly counts: Int32Array,
  ) {
    this.id = prog.id;
    this.name = prog.name;
  }

  run(skb: Skb): number | BpfFault {
    const sim = this.sim;
    const c = this.counts;
    let fault: BpfFault | null;
    try {
      fault = sim.execOnSkb(this.prog, skb);
    } catch (e) {
      if (e instanceof BpfFault) c[FAULT]++;
      throw e;
    }
    return count(c, fault ?? (sim.vm.regs[0] | 0));
  }
}

/** Any other HookProgram (test doubles), counted around its own run. */
class CountedProgram implements HookProgram {
  readonly id: number;
  readonly name: string;

  constructor(
    private readonly inner: HookProgram,
    private readonly counts: Int32Array,
  ) {
    this.id = inner.id;
    this.name = inner.name;
  }

  run(skb: Skb): number | BpfFault {
    let r: number | BpfFault;
    try {
      r = this.inner.run(skb);
    } catch (e) {
      if (e instanceof BpfFault) this.counts[FAULT]++;
      throw e;
    }
    return count(this.counts, r);
  }
}
