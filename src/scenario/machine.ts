// machine.ts: one simulated node as the scenario runner, `tcxsim replay` and the testing API use
// it: World + Simulator + TcxBridge (tcx control plane) + TcClassic (clsact/cls_bpf, keeping the
// tcx entry alive through the qdisc observer) + Datapath, with verdicts counted per program.
import { Accounting } from '../netdev/accounting.js';
import { Datapath } from '../netdev/datapath/datapath.js';
import type { NetDevice } from '../netdev/device.js';
import type { World } from '../netdev/world.js';
import { connectDatapath } from '../sim/datapath-net.js';
import { BpfHookProgram, TcxBridge } from '../sim/tcx-bridge.js';
import type { Program } from '../sim/program.js';
import { Simulator, type SimulatorOptions } from '../sim/simulator.js';
import { TcClassic } from '../tc/classic.js';
import type { HookProgram } from '../netdev/datapath/hooks.js';
import { CountingChains, VerdictCounter } from './verdicts.js';

export class Machine {
  readonly sim: Simulator;
  readonly bridge: TcxBridge;
  readonly classic: TcClassic;
  readonly datapath: Datapath;
  readonly verdicts = new VerdictCounter();
  private readonly chains: CountingChains;
  private readonly classicProgs = new Map<number, HookProgram>();

  constructor(
    readonly world: World,
    opts: SimulatorOptions & { keepFates?: boolean } = {},
  ) {
    this.sim = new Simulator(opts);
    this.bridge = new TcxBridge(this.sim);
    this.classic = new TcClassic({
      // clsact_init/destroy: tcx_miniq_inc/dec keep the tcx entry (and its revision) alive.
      qdiscAdded: (dev) => {
        this.bridge.device(dev);
        this.bridge.tcx.addQdisc(dev.path);
        this.bridge.changed();
      },
      qdiscRemoved: (dev) => {
        this.bridge.tcx.deleteQdisc(dev.path);
        this.bridge.changed();
      },
    });
    this.chains = new CountingChains(this.bridge, this.verdicts);
    this.datapath = new Datapath(world, { tcx: this.chains, classic: this.classic, accounting: new Accounting(opts.keepFates ?? false) });
    connectDatapath(this.sim, this.datapath);
    for (const ns of world.namespaces.values()) for (const dev of ns.devices.values()) this.bridge.device(dev);
  }

  /** A program as a cls_bpf filter runs it (counted like tcx programs). */
  hookProgram(prog: Program): HookProgram {
    let h = this.classicProgs.get(prog.id);
    if (!h) {
      this.sim.compileForHook(prog);
      this.classicProgs.set(prog.id, (h = this.chains.wrapOnce(new BpfHookProgram(this.sim, prog))));
    }
    return h;
  }

  device(path: string): NetDevice {
    return this.world.device(path);
  }

  /** Every device but loopbacks, namespace by namespace, in ifindex order. */
  devices(): NetDevice[] {
    const out: NetDevice[] = [];
    for (const ns of this.world.namespaces.values()) {
      for (const d of [...ns.devices.values()].sort((a, b) => a.ifindex - b.ifindex)) if (d.kind !== 'loopback') out.push(d);
    }
    return out;
  }
}
