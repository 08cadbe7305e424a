// conformance-plugin.ts: `tcxsim conformance-plugin [memory-hex]` speaks the bpf_conformance
// plugin contract: program bytes as hex on stdin, input memory as hex in the first argument,
// r0 printed in hex on stdout with exit 0; a fault goes to stderr with a non-zero exit.
import { readFileSync } from 'node:fs';
import { runConformanceVector } from '../../bpf/interp/conformance.js';
import type { Command } from './command.js';

/** Runs one program; returns the process exit code and what to print where. */
export function conformancePlugin(programHex: string, memoryHex: string): { code: number; stdout: string; stderr: string } {
  const r = runConformanceVector(programHex, memoryHex, 'stdin');
  if (r.fault) return { code: 1, stdout: '', stderr: `tcxsim: ${r.fault.describe()}\n` };
  return { code: 0, stdout: `${r.r0u64.toString(16)}\n`, stderr: '' };
}

export const conformancePluginCommand: Command = {
  command: 'conformance-plugin [memory]',
  describe: 'bpf_conformance plugin: program hex on stdin, memory hex as argument, prints r0 in hex',
  builder: (y) =>
    y
      .positional('memory', { type: 'string', describe: 'input memory as hex (spaces allowed)', default: '' })
      .strict(false),
  handler: (args) => {
    const out = conformancePlugin(readFileSync(0, 'utf8'), String(args.memory ?? ''));
    process.stdout.write(out.stdout);
    process.stderr.write(out.stderr);
    return out.code;
  },
};
