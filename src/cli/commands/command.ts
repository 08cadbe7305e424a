// command.ts: the shape of one CLI command module. The handler returns the process exit code.
import type { Argv, ArgumentsCamelCase } from 'yargs';

export interface Command {
  command: string | string[];
  describe: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  builder: (yargs: Argv) => Argv<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handler: (args: ArgumentsCamelCase<any>) => Promise<number | void> | number | void;
}
