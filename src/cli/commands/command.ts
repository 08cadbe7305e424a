// command.ts: the shape of one CLI command module. The handler returns the process exit code;
// `toModule` turns a Command into a yargs module that records that code (top-level commands and
// subcommands alike), and `takeExitCode` reads it once parsing is done.
import type { Argv, ArgumentsCamelCase, CommandModule } from 'yargs';

export interface Command {
  command: string | string[];
  describe: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  builder: (yargs: Argv) => Argv<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handler: (args: ArgumentsCamelCase<any>) => Promise<number | void> | number | void;
}

let exitCode = 0;

export function toModule(c: Command): CommandModule {
  return {
    command: c.command,
    describe: c.describe,
    builder: c.builder,
    handler: async (args) => {
      exitCode = (await c.handler(args)) ?? 0;
    },
  };
}

export function takeExitCode(): number {
  const code = exitCode;
  exitCode = 0;
  return code;
}
