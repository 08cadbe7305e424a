// tcx-bridge.ts: joins the tcx control plane (src/tcx) to the datapath (src/netdev/datapath):
// every device gets a tcx device named by its path (`ns/dev`, unique across namespaces), every
// live program is known to tcx under the simulator's own id, and the datapath asks here for the
// ordered chain of a hook. Chains are cached until the next control-plane change (`changed()`),
// so a replay pays one Map lookup per hook, not a query.
import { skbFromTestRun } from '../bpf/context/test-run.js';
import type { BpfFault } from '../bpf/fault.js';
import type { Skb } from '../bpf/skb/skb.js';
import type { NetDevice } from '../netdev/device.js';
import type { Hook, HookProgram, TcxChains } from '../netdev/datapath/hooks.js';
import { TcxSim, type Program as TcxProgram } from '../tcx/index.js';
import { TC_ACT_SHOT } from '../tc/action.js';
import type { Program } from './program.js';
import type { Simulator } from './simulator.js';

/** A live program as a hook runs it: r0's low 32 bits, or the fault that stopped it. */
export class BpfHookProgram implements HookProgram {
  constructor(
    readonly sim: Simulator,
    readonly prog: Program,
  ) {}

  get id(): number {
    return this.prog.id;
  }

  get name(): string {
    return this.prog.name;
  }

  run(skb: Skb): number | BpfFault {
    const sim = this.sim;
    return sim.execOnSkb(this.prog, skb) ?? sim.vm.regs[0];
  }
}

const NONE: readonly HookProgram[] = [];

export class TcxBridge implements TcxChains {
  readonly tcx = new TcxSim();
  private readonly devices = new Set<NetDevice>();
  private readonly hookProgs = new Map<number, BpfHookProgram>();
  private readonly tcxProgs = new Map<number, TcxProgram>();
  private readonly cache = new Map<NetDevice, { ingress: readonly HookProgram[] | null; egress: readonly HookProgram[] | null }>();

  constructor(readonly sim: Simulator) {}

  /** The tcx name of a device, registering it on first use. */
  device(dev: NetDevice): string {
    if (!this.devices.has(dev)) {
      this.tcx.addDevice(dev.path);
      this.devices.add(dev);
    }
    return dev.path;
  }

  /** dev_tcx_uninstall: the device is going away. */
  removeDevice(dev: NetDevice): void {
    if (this.devices.delete(dev)) this.tcx.removeDevice(dev.path);
    this.changed();
  }

  /** The tcx handle of a live program (loaded into tcx on first use, with the same id). */
  program(prog: Program): TcxProgram {
    let t = this.tcxProgs.get(prog.id);
    if (!t) {
      this.sim.compileForHook(prog);
      const hook = new BpfHookProgram(this.sim, prog);
      this.hookProgs.set(prog.id, hook);
      t = this.tcx.load({
        id: prog.id,
        type: 'sched_cls',
        name: prog.name,
        // the op-file `send`: a test frame through this one program, as BPF_PROG_TEST_RUN builds it.
        // A fault (which the kernel's verifier would have prevented) drops the frame, as the
        // datapath drops a packet whose program faulted (program_fault): it is never a verdict.
        run: (frame) => {
          const res = this.sim.runOnSkb(prog, skbFromTestRun(frame, null));
          return res.fault ? TC_ACT_SHOT : res.r0;
        },
      });
      this.tcxProgs.set(prog.id, t);
    }
    return t;
  }

  /** Call after every control-plane operation (attach, detach, link update, qdisc, device). */
  changed(): void {
    this.cache.clear();
  }

  programs(dev: NetDevice, hook: Hook): readonly HookProgram[] {
    let c = this.cache.get(dev);
    if (!c) this.cache.set(dev, (c = { ingress: null, egress: null }));
    // named fields, not c[hook]: a keyed load with two names is a slow generic lookup in V8
    const chain = hook === 'ingress' ? c.ingress : c.egress;
    return chain ?? this.query(dev, hook, c);
  }

  private query(dev: NetDevice, hook: Hook, c: { ingress: readonly HookProgram[] | null; egress: readonly HookProgram[] | null }): readonly HookProgram[] {
    const chain = this.devices.has(dev) ? this.tcx.query(dev.path, hook).programs.map((p) => this.hookProgs.get(p.id)!) : NONE;
    c[hook] = chain;
    return chain;
  }
}
