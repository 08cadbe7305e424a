// programs.ts: a scenario's `objects`, `programs` and `maps` sections → live objects in the
// Simulator: every object file loaded once, programs named by the scenario (a program of an
// object, or inline assembly resolved against the objects' maps), and maps pre-populated with
// hex entries, bpftool JSON dumps, or prog-array slots.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadObjectFile } from '../bpf/elf/index.js';
import { loadMap } from '../bpf/maps/dump.js';
import type { BpfMap } from '../bpf/maps/map.js';
import { BPF_MAP_TYPE } from '../bpf/spec.js';
import { SimError } from '../errors.js';
import { programFromAsm } from '../sim/asm-program.js';
import type { Program } from '../sim/program.js';
import type { LoadedObject, Simulator } from '../sim/simulator.js';
import type { Scenario } from './schema.js';
import type { Where } from './topology.js';
import { locatedAt } from './located.js';

export interface LoadedPrograms {
  readonly objects: ReadonlyMap<string, LoadedObject>;
  /** Scenario program name → live program. */
  readonly programs: ReadonlyMap<string, Program>;
  /** Live program id → scenario program name (reports name programs as the scenario does). */
  readonly names: ReadonlyMap<number, string>;
  /** `object/map` → live map. */
  readonly maps: ReadonlyMap<string, BpfMap>;
}

/** Hex bytes ("0a000001", "0a 00 00 01") or a byte array → bytes. */
export function toBytes(v: string | readonly number[]): Uint8Array {
  if (typeof v !== 'string') return Uint8Array.from(v);
  const h = v.replace(/\s+/g, '');
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function loadPrograms(sim: Simulator, s: Scenario, baseDir: string, where: Where): LoadedPrograms {
  const objects = new Map<string, LoadedObject>();
  const maps = new Map<string, BpfMap>();
  const byPlainName = new Map<string, BpfMap>();
  const wrap = <T>(path: (string | number)[], f: () => T): T => locatedAt(where(path), f);
  for (const [name, file] of Object.entries(s.objects ?? {})) {
    const obj = wrap(['objects', name], () => sim.loadObject(loadObjectFile(resolve(baseDir, file))));
    objects.set(name, obj);
    for (const [mname, m] of obj.maps) {
      maps.set(`${name}/${mname}`, m);
      if (!byPlainName.has(mname)) byPlainName.set(mname, m);
    }
  }
  const programs = new Map<string, Program>();
  const names = new Map<number, string>();
  for (const [name, p] of Object.entries(s.programs ?? {})) {
    const prog = wrap(['programs', name], () => {
      if ('asm' in p) return sim.loadProgram(programFromAsm(p.asm, name, { source: `${name} (inline asm)` }), byPlainName, `program ${name}`);
      const obj = objects.get(p.object);
      if (!obj) throw new SimError('ENOENT', `no object ${p.object} (the scenario's objects are: ${[...objects.keys()].join(', ') || 'none'})`);
      return obj.program(p.prog ?? p.section);
    });
    programs.set(name, prog);
    if (!names.has(prog.id)) names.set(prog.id, name);
  }
  // Programs of objects the scenario does not name still get readable names (tail-call targets).
  for (const [oname, obj] of objects) for (const p of obj.programs.values()) if (!names.has(p.id)) names.set(p.id, `${oname}/${p.name}`);
  const lookupMap = (ref: string): BpfMap => {
    const m = maps.get(ref) ?? (ref.includes('/') ? undefined : byPlainName.get(ref));
    if (!m) throw new SimError('ENOENT', `no map ${ref} (have ${[...maps.keys()].join(', ') || 'none'})`);
    return m;
  };
  (s.maps ?? []).forEach((init, i) =>
    wrap(['maps', i], () => {
      if ('prog_array' in init) {
        const m = lookupMap(init.prog_array);
        if (m.type !== BPF_MAP_TYPE.PROG_ARRAY) throw new SimError('EINVAL', `map ${init.prog_array} is a ${m.typeName}, not a prog array`);
        const prog = programs.get(init.prog);
        if (!prog) throw new SimError('ENOENT', `no program ${init.prog} (the scenario's programs are: ${[...programs.keys()].join(', ')})`);
        m.update(u32(init.index), u32(prog.id));
        return;
      }
      const m = lookupMap(init.map);
      for (const e of init.entries ?? []) {
        const key = toBytes(e.key);
        const value = toBytes(e.value);
        if (key.length !== m.keySize) throw new SimError('EINVAL', `map ${init.map}: key ${e.key} is ${key.length} bytes, the map's key_size is ${m.keySize}`);
        if (value.length !== m.sysValueSize) throw new SimError('EINVAL', `map ${init.map}: value is ${value.length} bytes, the map's value_size is ${m.sysValueSize}`);
        m.update(key, value);
      }
      if (init.file) {
        const file = resolve(baseDir, init.file);
        let json: unknown;
        try {
          json = JSON.parse(readFileSync(file, 'utf8'));
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'ENOENT' : 'EFORMAT';
          throw new SimError(code, `${init.file}: ${(e as Error).message}`);
        }
        loadMap(m, json, init.file);
      }
    }),
  );
  return { objects, programs, names, maps };
}

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}
