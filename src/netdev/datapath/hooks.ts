// hooks.ts: what the datapath needs from the outside to run a hook: the programs (black boxes
// returning r0 as a signed 32-bit int), the tcx chain of a device's hook, and the fault path.
// A program that throws or returns a BpfFault stops the packet (drop reason program_fault).
import { BpfFault } from '../../bpf/fault.js';
import type { Skb } from '../../bpf/skb/skb.js';
import type { NetDevice } from '../device.js';

export type Hook = 'ingress' | 'egress';

/** A loaded program as a hook runs it. `run` returns r0's low 32 bits read as an int. */
export interface HookProgram {
  readonly id: number;
  readonly name: string;
  run(skb: Skb): number | BpfFault;
}

/** The tcx side: the ordered program array of a device's hook (index 0 runs first). */
export interface TcxChains {
  programs(dev: NetDevice, hook: Hook): readonly HookProgram[];
}

/** A fault raised while a hook program ran; unwinds to the datapath, which drops the packet. */
export class HookFault extends Error {
  constructor(
    readonly prog: HookProgram,
    readonly fault: BpfFault,
  ) {
    super(`program ${prog.id} (${prog.name}): ${fault.describe()}`);
  }
}

/** Runs one program; r0 truncated to a signed 32-bit int; faults become HookFault. */
export function runHookProgram(prog: HookProgram, skb: Skb): number {
  let r: number | BpfFault;
  try {
    r = prog.run(skb);
  } catch (e) {
    if (e instanceof BpfFault) throw new HookFault(prog, e);
    throw e;
  }
  // typeof, not instanceof: every run but a faulting one returns a number, and this is cheaper
  if (typeof r !== 'number') throw new HookFault(prog, r);
  return r | 0;
}

const NONE: readonly HookProgram[] = [];

/** A plain in-memory TcxChains (tests, scenarios without the tcx control plane). */
export class StaticTcxChains implements TcxChains {
  private readonly chains = new Map<NetDevice, { ingress: HookProgram[]; egress: HookProgram[] }>();

  set(dev: NetDevice, hook: Hook, progs: HookProgram[]): void {
    let c = this.chains.get(dev);
    if (!c) this.chains.set(dev, (c = { ingress: [], egress: [] }));
    c[hook] = progs;
  }

  programs(dev: NetDevice, hook: Hook): readonly HookProgram[] {
    const c = this.chains.get(dev);
    return c ? c[hook] : NONE;
  }
}
