// main.ts: the tcxsim command line. Each command lives in src/cli/commands/<name>.ts and is
// registered in commands/index.ts; banners go to stderr, data to stdout. Exit codes: 0 ok,
// 1 an expectation or run failed, 2 bad input or usage.
import yargs from 'yargs';
import { SimError } from '../errors.js';
import { takeExitCode, toModule } from './commands/command.js';
import { commands } from './commands/index.js';

export async function main(argv: string[]): Promise<number> {
  const cli = yargs(argv)
    .scriptName('tcxsim')
    .strict()
    .demandCommand(1, 'name a command (see --help)')
    .recommendCommands()
    .help()
    .version(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new SimError('EUSAGE', msg);
    });
  for (const command of commands) cli.command(toModule(command));
  try {
    await cli.parseAsync();
  } catch (err) {
    if (err instanceof SimError) {
      process.stderr.write(`tcxsim: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  return takeExitCode();
}
