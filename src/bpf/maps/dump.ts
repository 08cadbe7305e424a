// dump.ts: map contents in the JSON shape of `bpftool map dump -j` (used by --map-in/--map-out):
//   [{"key":["0x01","0x00"],"value":["0x2a",...]}]                       plain maps
//   [{"key":[...],"values":[{"cpu":0,"value":[...]},{"cpu":1,...}]}]       per-CPU maps
// Entries come in get_next_key order, bytes as lower-case "0x%02x", printed compactly with a
// trailing newline, exactly as bpftool 7.1 prints them (test/fixtures/maps/bpftool.json).
import { SimError } from '../../errors.js';
import type { BpfMap } from './map.js';
import { roundUp8 } from './slab.js';

export interface BpftoolEntry {
  key: string[];
  value?: string[];
  values?: { cpu: number; value: string[] }[];
}

function hexBytes(b: Uint8Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < b.length; i++) out.push(`0x${b[i].toString(16).padStart(2, '0')}`);
  return out;
}

/** The map's entries as bpftool lists them. */
export function dumpMap(map: BpfMap): BpftoolEntry[] {
  const stride = roundUp8(map.valueSize);
  return map.entries().map(({ key, value }) => {
    if (!map.percpu) return { key: hexBytes(key), value: hexBytes(value) };
    const values = [];
    for (let cpu = 0; cpu < map.cpus; cpu++) {
      values.push({ cpu, value: hexBytes(value.subarray(cpu * stride, cpu * stride + map.valueSize)) });
    }
    return { key: hexBytes(key), values };
  });
}

/** `bpftool map dump -j` output text. */
export function formatDump(map: BpfMap): string {
  return `${JSON.stringify(dumpMap(map))}\n`;
}

function parseBytes(v: unknown, len: number, where: string): Uint8Array {
  if (!Array.isArray(v)) throw new SimError('EFORMAT', `${where}: expected an array of bytes`);
  if (v.length !== len) throw new SimError('EFORMAT', `${where}: ${v.length} bytes, the map needs ${len}`);
  const out = new Uint8Array(len);
  v.forEach((x, i) => {
    const n = typeof x === 'number' ? x : typeof x === 'string' ? Number.parseInt(x.replace(/^0x/i, ''), 16) : Number.NaN;
    if (!Number.isInteger(n) || n < 0 || n > 255 || (typeof x === 'string' && !/^(0x)?[0-9a-f]{1,2}$/i.test(x))) {
      throw new SimError('EFORMAT', `${where}[${i}]: ${JSON.stringify(x)} is not a byte`);
    }
    out[i] = n;
  });
  return out;
}

/**
 * Writes entries in bpftool's dump shape into the map (BPF_ANY updates). A per-CPU entry may
 * give "values" per CPU (missing CPUs stay zero) or one "value" for every CPU.
 */
export function loadMap(map: BpfMap, json: unknown, file = 'map input'): void {
  if (!Array.isArray(json)) throw new SimError('EFORMAT', `${file}: expected a JSON array of {key, value} entries`);
  const stride = roundUp8(map.valueSize);
  json.forEach((e: unknown, i) => {
    const where = `${file}: entry ${i}`;
    if (typeof e !== 'object' || e === null) throw new SimError('EFORMAT', `${where}: expected an object`);
    const entry = e as Record<string, unknown>;
    const key = map.keySize === 0 ? null : parseBytes(entry.key, map.keySize, `${where}.key`);
    let value: Uint8Array;
    if (map.percpu) {
      value = new Uint8Array(map.sysValueSize);
      if (Array.isArray(entry.values)) {
        entry.values.forEach((pc: unknown, j) => {
          const p = pc as { cpu?: unknown; value?: unknown };
          const cpu = typeof p?.cpu === 'number' ? p.cpu : j;
          if (!Number.isInteger(cpu) || cpu < 0 || cpu >= map.cpus) {
            throw new SimError('EFORMAT', `${where}.values[${j}]: cpu ${String(p?.cpu)} is not in 0..${map.cpus - 1}`);
          }
          value.set(parseBytes(p.value, map.valueSize, `${where}.values[${j}].value`), cpu * stride);
        });
      } else {
        const one = parseBytes(entry.value, map.valueSize, `${where}.value`);
        for (let cpu = 0; cpu < map.cpus; cpu++) value.set(one, cpu * stride);
      }
    } else value = parseBytes(entry.value, map.valueSize, `${where}.value`);
    try {
      map.update(key, value);
    } catch (err) {
      if (err instanceof SimError) throw new SimError(err.code, `${where}: ${err.message}`);
      throw err;
    }
  });
}
