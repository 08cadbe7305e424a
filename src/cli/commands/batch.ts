// batch.ts: `tcxsim batch <ops.json>`: runs an op file of the tcx oracle language
// (../shared/oracle/README.md) and prints the tcx-oracle-trace/1 trace, comparable with
// `kernel_tcx.py compare` against the kernel's. Malformed files exit 2 (EFORMAT).
import { readFileSync } from 'node:fs';
import { SimError } from '../../errors.js';
import { parseOpFile } from '../../tcx/oracle/opfile.js';
import { formatTrace } from '../../tcx/oracle/pyjson.js';
import { OpRunner } from '../../tcx/oracle/runner.js';
import type { Command } from './command.js';

export function runBatchFile(file: string): string {
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (e) {
    throw new SimError('EFORMAT', `${file}: cannot read: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new SimError('EFORMAT', `${file}: not JSON: ${(e as Error).message}`);
  }
  const trace = new OpRunner(parseOpFile(doc, file)).run({ source: 'tcxsim' });
  return formatTrace(trace);
}

export const batchCommand: Command = {
  command: 'batch <ops>',
  describe: 'run a tcx op file (oracle op language) and print its tcx-oracle-trace/1 trace',
  builder: (y) => y.positional('ops', { type: 'string', describe: 'op file (JSON), or - for stdin', demandOption: true }),
  handler: (args) => {
    process.stdout.write(runBatchFile(args.ops as string));
    return 0;
  },
};
