// index.ts: the list of CLI commands. Add one import and one array entry per command file.
import { batchCommand } from './batch.js';
import type { Command } from './command.js';
import { conformancePluginCommand } from './conformance-plugin.js';

export const commands: Command[] = [batchCommand, conformancePluginCommand];
