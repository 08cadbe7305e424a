// replay.ts: `tcxsim replay -r in.pcap --dev <name> --ingress <obj.o>:<prog>[,...] [--egress ...]
// [-w out.pcap] [--json]`: a capture through a one-device tcx chain without a scenario file
// (src/scenario/replay.ts says what passes and what is written). Summary on stdout, ending
// with tcpreplay's Actual:/Rated: lines. What passes ingress is taken off right after tc (held),
// not handed to the stack: a replay has no addresses or routes for a stack to act on.
import type { Engine } from '../../bpf/jit/engine.js';
import { engineOption } from '../options.js';
import { DROP_REASONS } from '../../netdev/datapath/drop.js';
import { replay } from '../../scenario/replay.js';
import { nsToSeconds } from '../../scenario/traffic.js';
import { progress } from '../report/progress.js';
import { rateLines } from '../report/summary.js';
import type { Command } from './command.js';

export interface ReplayArgs {
  read: string;
  dev: string;
  ingress?: string[];
  egress?: string[];
  write?: string;
  json: boolean;
  engine: Engine;
}

const list = (v: string[] | undefined): string[] => (v ?? []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);

export function replayCommandImpl(a: ReplayArgs): { out: string; err: string; code: number } {
  const bar = progress();
  const r = replay({ input: a.read, dev: a.dev, ingress: list(a.ingress), egress: list(a.egress), output: a.write, engine: a.engine, onProgress: (p, b) => bar.update(p, b) });
  bar.done();
  const acc = r.machine.datapath.accounting;
  const drops = Object.fromEntries(acc.drops);
  let err = `tcxsim: replayed ${a.read} through ${a.dev}${a.write ? ` → ${a.write}` : ''}\n`;
  if (r.error) err += `tcxsim: ${r.error.message}\n`;
  if (a.json) {
    const j = {
      packets: r.packets,
      bytes: r.bytes,
      passed: r.passed,
      written: r.written,
      seconds: nsToSeconds(r.spanNs),
      chains: r.chains,
      held: acc.held,
      drops,
      wire: acc.wire,
      ...(r.error ? { error: r.error.message } : {}),
    };
    return { out: `${JSON.stringify(j)}\n`, err, code: r.error ? 2 : 0 };
  }
  const lines: string[] = [];
  for (const c of r.chains) {
    if (c.programs.length === 0) continue;
    lines.push(`${a.dev} ${c.hook}:`);
    for (const p of c.programs) lines.push(`  ${p.ref} (id ${p.id}): ${Object.entries(p.verdicts).map(([k, n]) => `${k} ${n}`).join(', ') || 'never ran'}`);
  }
  const egress = r.chains[1]!.programs.length > 0;
  lines.push(`Passed ingress: ${r.passed} of ${r.packets} (taken off after tc ingress, not handed to the stack${egress ? `; sent back out of ${a.dev} through its egress chain` : ''})`);
  if (egress) lines.push(`Left the wire: ${acc.wire}`);
  for (const [reason, n] of acc.drops) lines.push(`Dropped ${n}: ${reason} (SKB_DROP_REASON_${DROP_REASONS[reason]})`);
  if (a.write) lines.push(`Wrote ${r.written} packets to ${a.write}`);
  lines.push(...rateLines(r.packets, r.bytes, r.wallMs, nsToSeconds(r.spanNs)));
  return { out: `${lines.join('\n')}\n`, err, code: r.error ? 2 : 0 };
}

export const replayCommand: Command = {
  command: 'replay',
  describe: 'replay a capture through the tcx chain of one device (no scenario file)',
  builder: (y) =>
    y
      .option('read', { alias: 'r', type: 'string', demandOption: true, describe: 'input capture (pcap or pcapng)' })
      .option('dev', { type: 'string', demandOption: true, describe: 'device name the packets arrive on' })
      .option('ingress', { type: 'string', array: true, describe: '<obj.o>:<prog>[,...] attached at ingress, in run order' })
      .option('egress', { type: 'string', array: true, describe: '<obj.o>:<prog>[,...] attached at egress; passing packets go back out through it' })
      .option('write', { alias: 'w', type: 'string', describe: 'write what passes (or what leaves the wire, with --egress) here' })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON summary' })
      .option('engine', engineOption),
  handler: (args) => {
    const r = replayCommandImpl(args as unknown as ReplayArgs);
    process.stderr.write(r.err);
    process.stdout.write(r.out);
    return r.code;
  },
};
