// index.ts: the list of CLI commands. Add one import and one array entry per command file.
import type { Command } from './command.js';

export const commands: Command[] = [];
