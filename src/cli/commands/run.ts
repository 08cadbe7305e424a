// run.ts: `tcxsim run <scenario.yaml> [-o outdir] [--json] [--trace]`: runs a scenario, writes
// one pcap per capture point and report.json into the output folder, prints the summary (or the
// report with --json) on stdout and banners/failures on stderr. Exit 0 passed, 1 an expectation
// failed, 2 bad input or a run that could not finish.
import type { Engine } from '../../bpf/jit/engine.js';
import { engineOption } from '../options.js';
import { runScenarioFile } from '../../scenario/runner.js';
import { reportJson } from '../../scenario/report.js';
import { formatTrace } from '../../bpf/trace/index.js';
import { progress } from '../report/progress.js';
import { displayPath, failureLines, formatSummary } from '../report/summary.js';
import type { Command } from './command.js';

export interface RunArgs {
  scenario: string;
  out?: string;
  json: boolean;
  trace: boolean;
  engine?: Engine;
}

export async function runCommandImpl(a: RunArgs): Promise<{ out: string; err: string; code: number }> {
  const bar = progress();
  const r = await runScenarioFile(a.scenario, { outDir: a.out, keepFates: a.trace, trace: a.trace, engine: a.engine, onProgress: (p, b) => bar.update(p, b) });
  bar.done();
  let err = `tcxsim: ran ${a.scenario} (${r.report.scenario})${r.outDir ? ` → ${displayPath(r.outDir)}/` : ''}\n`;
  let out = '';
  if (a.trace) {
    // formatTrace ends without a newline: the lines after it start their own
    const trace = formatTrace(r.machine.sim.tracer?.runs ?? []);
    if (trace) out += `${trace}\n`;
    for (const f of r.machine.datapath.accounting.fates) {
      out += `#${f.id} ${f.origin} → ${f.outcome} ${f.where}${f.reason ? ` ${f.reason}` : ''}${f.detail ? ` (${f.detail})` : ''}\n`;
    }
    for (const l of r.report.trace_pipe) out += `${l}\n`;
  }
  out += a.json ? reportJson(r.report) : formatSummary(r.report, { wallMs: r.wallMs, outDir: r.outDir });
  if (r.report.error) err += `tcxsim: ${r.report.error}\n`;
  for (const l of failureLines(r.report)) err += `tcxsim: ${l}\n`;
  if (r.exitCode === 1) err += `tcxsim: FAILED (${r.report.expectations.filter((e) => !e.ok).length} expectation(s), ${r.report.steps.filter((s) => !s.ok).length} step(s))\n`;
  return { out, err, code: r.exitCode };
}

export const runCommand: Command = {
  command: 'run <scenario>',
  describe: 'run a scenario file: topology, programs, attach steps, traffic, captures, report, expectations',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario file (YAML)', demandOption: true })
      .option('out', { alias: 'o', type: 'string', describe: 'output folder (default out/<scenario name>/)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the JSON report instead of the summary' })
      .option('engine', { ...engineOption, default: undefined, describe: `${engineOption.describe} (default: the scenario's engine, else compiled)` })
      .option('trace', { type: 'boolean', default: false, describe: "print every program run (helper calls, tail calls, map writes), each packet's fate and trace_pipe" }),
  handler: async (args) => {
    const r = await runCommandImpl(args as unknown as RunArgs);
    process.stderr.write(r.err);
    process.stdout.write(r.out);
    return r.code;
  },
};
