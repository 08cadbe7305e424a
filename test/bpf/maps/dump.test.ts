// bpftool map dump -j shape: reproduces the recorded stdout of bpftool 7.1 byte for byte.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SimError } from '../../../src/errors.js';
import { Memory } from '../../../src/bpf/memory.js';
import { BPF_MAP_TYPE } from '../../../src/bpf/spec.js';
import { createMap, dumpMap, formatDump, loadMap } from '../../../src/bpf/maps/index.js';

interface Shape {
  cpus: number;
  dumps: Record<string, { map: { type: string; key: number; value: number; max: number; flags?: number }; entries: [string, string][]; stdout: string }>;
}
const fx = JSON.parse(readFileSync(new URL('../../fixtures/maps/bpftool.json', import.meta.url), 'utf8')) as Shape;
const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

describe('bpftool map dump -j', () => {
  for (const [name, d] of Object.entries(fx.dumps)) {
    it(`${name} prints what bpftool printed`, () => {
      const type = (BPF_MAP_TYPE as Record<string, number>)[d.map.type.toUpperCase()];
      const map = createMap({ type, keySize: d.map.key, valueSize: d.map.value, maxEntries: d.map.max, flags: d.map.flags ?? 0 }, { memory: new Memory(), cpus: fx.cpus });
      for (const [k, v] of d.entries) map.update(bytes(k), bytes(v));
      expect(formatDump(map)).toBe(d.stdout);
      // and loading the dump into a fresh map gives the same dump
      const copy = createMap({ type, keySize: d.map.key, valueSize: d.map.value, maxEntries: d.map.max, flags: d.map.flags ?? 0 }, { memory: new Memory(), cpus: fx.cpus });
      loadMap(copy, JSON.parse(d.stdout));
      expect(formatDump(copy)).toBe(d.stdout);
    });
  }

  it('per-CPU input may give one value for every CPU', () => {
    const map = createMap({ type: BPF_MAP_TYPE.PERCPU_HASH, keySize: 1, valueSize: 2, maxEntries: 2, flags: 0 }, { memory: new Memory(), cpus: 3 });
    loadMap(map, [{ key: ['0x07'], value: ['0x01', '0x02'] }]);
    expect(dumpMap(map)).toEqual([
      { key: ['0x07'], values: [0, 1, 2].map((cpu) => ({ cpu, value: ['0x01', '0x02'] })) },
    ]);
  });

  it('rejects malformed input with EFORMAT naming the entry', () => {
    const map = createMap({ type: BPF_MAP_TYPE.HASH, keySize: 2, valueSize: 1, maxEntries: 2, flags: 0 }, { memory: new Memory() });
    expect(() => loadMap(map, [{ key: ['0x01'], value: ['0x00'] }], 'in.json')).toThrow(/in.json: entry 0.key: 1 bytes, the map needs 2/);
    expect(() => loadMap(map, [{ key: ['0x01', 'zz'], value: ['0x00'] }], 'in.json')).toThrow(SimError);
    expect(() => loadMap(map, {}, 'in.json')).toThrow(/EFORMAT/);
  });

  it('kernel errors while loading keep their errno', () => {
    const map = createMap({ type: BPF_MAP_TYPE.HASH, keySize: 1, valueSize: 1, maxEntries: 1, flags: 0 }, { memory: new Memory() });
    try {
      loadMap(map, [{ key: ['0x01'], value: ['0x00'] }, { key: ['0x02'], value: ['0x00'] }], 'in.json');
      expect.unreachable();
    } catch (e) {
      expect((e as SimError).code).toBe('E2BIG');
      expect((e as SimError).message).toMatch(/entry 1/);
    }
  });
});
