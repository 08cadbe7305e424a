// Replays test/fixtures/maps/{create,ops}.json (recorded from Linux 6.18 by
// scripts/record-map-semantics.py) against createMap: same errno, same bytes, same order.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SimError } from '../../../src/errors.js';
import { Memory } from '../../../src/bpf/memory.js';
import { BPF_MAP_TYPE } from '../../../src/bpf/spec.js';
import { createMap, type BpfMap, type MapAttrs, type MapEnv } from '../../../src/bpf/maps/index.js';
import { hex } from '../../../src/bpf/maps/map.js';

interface FixtureMap {
  type: string;
  key: number;
  value: number;
  max: number;
  flags?: number;
  map_extra?: number;
  inner?: string;
  inner_spec?: { type: string; key: number; value: number; max: number; flags?: number };
  sym_overrides?: Record<string, Partial<{ type: string; key: number; value: number; max: number; flags: number }>>;
}
interface FixtureCase {
  name: string;
  map: FixtureMap;
  cpus: number;
  create: number | string;
  ops: Record<string, unknown>[];
}

const dir = new URL('../../fixtures/maps/', import.meta.url);
const load = (f: string) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as { cpus: number; cases: FixtureCase[] };

function typeNumber(name: string): number {
  const n = (BPF_MAP_TYPE as Record<string, number>)[name.toUpperCase()];
  return n ?? Number(name.replace('type_', ''));
}

const DEFAULT_INNER = { type: 'array', key: 4, value: 8, max: 4, flags: 0 };

function attrsOf(m: FixtureMap): MapAttrs {
  const inner = m.inner ? { ...DEFAULT_INNER, ...m.inner_spec } : undefined;
  return {
    name: 'm',
    type: typeNumber(m.type),
    keySize: m.key,
    valueSize: m.value,
    maxEntries: m.max,
    flags: m.flags ?? 0,
    mapExtra: m.map_extra ?? 0,
    innerMap: inner && { type: typeNumber(inner.type), keySize: inner.key, valueSize: inner.value, maxEntries: inner.max, flags: inner.flags ?? 0 },
  };
}

function errCode(f: () => unknown): number | string | { ok: unknown } {
  try {
    return { ok: f() };
  } catch (e) {
    if (e instanceof SimError) return e.code;
    throw e;
  }
}

/** A simulated world for one case: symbolic prog:N / map:N objects with ids. */
class World {
  memory = new Memory();
  progs = new Map<number, { id: number; type: number }>();
  maps = new Map<number, BpfMap>();
  bySym = new Map<string, number>();
  symById = new Map<number, string>();
  nextProgId = 100;
  env: MapEnv;
  constructor(
    cpus: number,
    private readonly m: FixtureMap,
  ) {
    this.env = {
      memory: this.memory,
      cpus,
      progById: (id) => this.progs.get(id),
      mapById: (id) => this.maps.get(id),
    };
  }
  sym(name: string): number {
    const have = this.bySym.get(name);
    if (have !== undefined) return have;
    let id: number;
    if (name.startsWith('prog:')) {
      id = this.nextProgId++;
      this.progs.set(id, { id, type: 3 });
    } else {
      const spec = { ...DEFAULT_INNER, ...this.m.inner_spec, ...this.m.sym_overrides?.[name] };
      const map = createMap({ type: typeNumber(spec.type), keySize: spec.key, valueSize: spec.value, maxEntries: spec.max, flags: spec.flags ?? 0 }, this.env);
      this.maps.set(map.id, map);
      id = map.id;
    }
    this.bySym.set(name, id);
    this.symById.set(id, name);
    return id;
  }
  bytes(v: string): Uint8Array {
    if (v.includes(':')) {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, this.sym(v), true);
      return b;
    }
    return Uint8Array.from(Buffer.from(v, 'hex'));
  }
  decode(map: BpfMap, b: Uint8Array): string {
    const t = map.type;
    if (t === BPF_MAP_TYPE.PROG_ARRAY || t === BPF_MAP_TYPE.ARRAY_OF_MAPS || t === BPF_MAP_TYPE.HASH_OF_MAPS) {
      const id = new DataView(b.buffer, b.byteOffset).getUint32(0, true);
      return this.symById.get(id) ?? `id:${id}`;
    }
    return hex(b);
  }
}

const keyOf = (k: unknown) => (k === null || k === undefined ? null : Uint8Array.from(Buffer.from(k as string, 'hex')));

function replay(w: World, map: BpfMap, op: Record<string, unknown>): Record<string, unknown> {
  const flags = (op.flags as number | undefined) ?? 0;
  const key = keyOf(op.key);
  const r = (f: () => unknown) => {
    const v = errCode(f);
    return typeof v === 'object' ? (v.ok ?? 0) : v;
  };
  switch (op.op) {
    case 'update':
      return { result: r(() => map.update(key, w.bytes(op.value as string), flags)) };
    case 'lookup':
      return { result: r(() => w.decode(map, map.lookup(key, flags, op.value ? w.bytes(op.value as string) : undefined))) };
    case 'lookup_and_delete':
      return { result: r(() => w.decode(map, map.lookupAndDelete(key, flags))) };
    case 'delete':
      return { result: r(() => map.delete(key)) };
    case 'next':
      return { result: r(() => hex(map.getNextKey(key))) };
    case 'keys':
      return { result: map.keys().map(hex) };
    case 'freeze':
      return { result: r(() => map.freeze()) };
    case 'update_batch':
    case 'delete_batch': {
      const keys = (op.keys as string[]).map((k) => w.bytes(k));
      const v = errCode(() =>
        op.op === 'update_batch'
          ? map.updateBatch(keys, (op.values as string[]).map((x) => w.bytes(x)), (op.elem_flags as number) ?? 0, flags)
          : map.deleteBatch(keys, (op.elem_flags as number) ?? 0, flags),
      );
      if (typeof v !== 'object') return { result: v };
      const res = v.ok as { done: number; error: string | null };
      return { result: res.error ?? 0, done: res.done };
    }
    case 'lookup_batch':
    case 'lookup_and_delete_batch': {
      const v = errCode(() =>
        map.lookupBatch({
          count: op.count as number,
          inBatch: keyOf(op.in_batch),
          flags,
          elemFlags: (op.elem_flags as number) ?? 0,
          delete: op.op === 'lookup_and_delete_batch',
        }),
      );
      if (typeof v !== 'object') return { result: v };
      const res = v.ok as { keys: Uint8Array[]; values: Uint8Array[]; outBatch: Uint8Array | null; error: string | null };
      return {
        result: res.error ?? 0,
        done: res.keys.length,
        keys: res.keys.map(hex),
        values: res.values.map((x) => w.decode(map, x)),
        out_batch: res.outBatch ? hex(res.outBatch.subarray(0, 4)) : '00000000',
      };
    }
    default:
      throw new Error(`unknown op ${String(op.op)}`);
  }
}

describe('map_create validation matches the kernel', () => {
  const fx = load('create.json');
  for (const c of fx.cases) {
    it(`${c.name} -> ${c.create}`, () => {
      const w = new World(fx.cpus, c.map);
      const got = errCode(() => createMap(attrsOf(c.map), w.env));
      expect(typeof got === 'object' ? 0 : got).toBe(c.create);
    });
  }
});

describe('map operations match the kernel', () => {
  const fx = load('ops.json');
  for (const c of fx.cases) {
    it(c.name, () => {
      const w = new World(fx.cpus, c.map);
      const made = errCode(() => createMap(attrsOf(c.map), w.env));
      expect(typeof made === 'object' ? 0 : made).toBe(c.create);
      if (typeof made !== 'object') return;
      const map = made.ok as BpfMap;
      c.ops.forEach((op, i) => {
        const got = replay(w, map, op);
        const want: Record<string, unknown> = {};
        for (const k of Object.keys(got)) want[k] = op[k];
        // with nothing copied the kernel leaves out_batch unwritten
        if (got.done === 0 && 'out_batch' in got) got.out_batch = want.out_batch;
        expect({ i, op: op.op, ...got }).toEqual({ i, op: op.op, ...want });
      });
    });
  }
});
