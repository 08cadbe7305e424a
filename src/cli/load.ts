// load.ts: what several commands share: read an object file into a fresh simulator, and read
// small input files with clear errors.
import { readFileSync } from 'node:fs';
import { loadObjectFile } from '../bpf/elf/index.js';
import { SimError } from '../errors.js';
import { type LoadedObject, Simulator, type SimulatorOptions } from '../sim/simulator.js';

export function loadForCli(file: string, opts: SimulatorOptions = {}): { sim: Simulator; obj: LoadedObject } {
  const sim = new Simulator(opts);
  const obj = sim.loadObject(loadObjectFile(file));
  return { sim, obj };
}

export function readInput(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path === '-' ? 0 : path);
  } catch (e) {
    throw new SimError('ENOENT', `${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** `name=file` pairs of --map-in/--map-out. */
export function mapFileArgs(values: readonly string[] | undefined, flag: string): { map: string; file: string }[] {
  return (values ?? []).map((v) => {
    const eq = v.indexOf('=');
    if (eq <= 0 || eq === v.length - 1) throw new SimError('EUSAGE', `${flag} ${v}: expected <map>=<file.json>`);
    return { map: v.slice(0, eq), file: v.slice(eq + 1) };
  });
}
