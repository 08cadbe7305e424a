// net.ts: `tcxsim net show [scenario.yaml] [--json]`: the scenario's devices after its
// control-plane steps, in the line shapes of `bpftool net show` (tools/bpf/bpftool/net.c):
//   eth0(2) tcx/ingress count_flows prog_id 3 link_id 1
//   eth0(2) clsact/ingress policy id 4
// tcx entries first, then cls_bpf filters, per device in ifindex order; one block per namespace
// (what `ip netns exec <ns> bpftool net show` prints there).
import { readScenarioFile } from '../../scenario/parse.js';
import { build } from '../../scenario/runner.js';
import type { Machine } from '../../scenario/machine.js';
import { type Command, toModule } from './command.js';

/** BPF_OBJ_NAME_LEN - 1: the kernel keeps 15 characters of a program name. */
const BPF_OBJ_NAME_MAX = 15;

interface TcEntry {
  devname: string;
  ifindex: number;
  kind: string;
  name: string;
  id: number;
  link_id?: number;
  tcx: boolean;
}

export function netShow(m: Machine | null, json: boolean): string {
  const blocks: { ns: string; tc: TcEntry[] }[] = [];
  if (!m) blocks.push({ ns: 'init', tc: [] });
  else {
    for (const ns of m.world.namespaces.values()) {
      const tc: TcEntry[] = [];
      for (const dev of [...ns.devices.values()].sort((a, b) => a.ifindex - b.ifindex)) {
        for (const hook of ['ingress', 'egress'] as const) {
          const q = m.bridge.tcx.query(dev.path, hook);
          for (const p of q.programs) {
            const prog = m.sim.progs.get(p.id);
            tc.push({ devname: dev.name, ifindex: dev.ifindex, kind: `tcx/${hook}`, name: (prog?.name ?? '').slice(0, BPF_OBJ_NAME_MAX), id: p.id, link_id: p.linkId, tcx: true });
          }
        }
        for (const hook of ['ingress', 'egress'] as const) {
          const q = m.classic.qdisc(dev);
          if (!q) continue;
          for (const f of q.chain(hook).list()) tc.push({ devname: dev.name, ifindex: dev.ifindex, kind: `clsact/${hook}`, name: f.name, id: f.prog.id, tcx: false });
        }
      }
      if (ns.name === 'init' || tc.length > 0) blocks.push({ ns: ns.name, tc });
    }
  }
  if (json) {
    const j = blocks.map((b) => ({
      ...(m && m.world.namespaces.size > 1 ? { netns: b.ns } : {}),
      xdp: [],
      tc: b.tc.map((e) =>
        e.tcx
          ? { devname: e.devname, ifindex: e.ifindex, kind: e.kind, name: e.name, prog_id: e.id, ...(e.link_id !== undefined ? { link_id: e.link_id } : {}) }
          : { devname: e.devname, ifindex: e.ifindex, kind: e.kind, name: e.name, id: e.id },
      ),
      flow_dissector: [],
      netfilter: [],
    }));
    return `${JSON.stringify(j)}\n`;
  }
  const out: string[] = [];
  for (const b of blocks) {
    if (b.ns !== 'init') out.push(`# ip netns exec ${b.ns} bpftool net show`);
    out.push('xdp:', '', 'tc:');
    for (const e of b.tc) {
      out.push(
        e.tcx
          ? `${e.devname}(${e.ifindex}) ${e.kind} ${e.name} prog_id ${e.id}${e.link_id !== undefined ? ` link_id ${e.link_id}` : ''}`
          : `${e.devname}(${e.ifindex}) ${e.kind} ${e.name} id ${e.id}`,
      );
    }
    out.push('', 'flow_dissector:', '', 'netfilter:', '');
  }
  return `${out.join('\n')}\n`;
}

const showCommand: Command = {
  command: 'show [scenario]',
  describe: "print bpftool net show for a scenario's devices after its control-plane steps",
  builder: (z) => z.positional('scenario', { type: 'string', describe: 'scenario file (YAML)' }).option('json', { type: 'boolean', default: false }),
  handler: (args) => {
    const m = args.scenario ? build(readScenarioFile(args.scenario as string)).machine : null;
    process.stdout.write(netShow(m, args.json as boolean));
    return 0;
  },
};

export const netCommand: Command = {
  command: 'net <command>',
  describe: 'show the tc/tcx attachments of a scenario (bpftool net show)',
  builder: (y) => y.command(toModule(showCommand)).demandCommand(1),
  handler: () => 0,
};
