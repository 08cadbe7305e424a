// index.ts: the list of CLI commands. Add one import and one array entry per command file.
import { batchCommand } from './batch.js';
import type { Command } from './command.js';
import { conformancePluginCommand } from './conformance-plugin.js';
import { mapCommand, progCommand } from './prog.js';
import { netCommand } from './net.js';
import { replayCommand } from './replay.js';
import { runCommand } from './run.js';

export const commands: Command[] = [progCommand, mapCommand, batchCommand, conformancePluginCommand, runCommand, replayCommand, netCommand];
