// load-object.test.ts: the example objects (bpf/*.o) and the loader edge cases
// (test/fixtures/elf/*.o) against what libbpf + the kernel made of them (kernel-objects.json,
// recorded by test/fixtures/elf/record-kernel-maps.py): map attributes, static contents, calls.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadObjectFile } from '../../../src/bpf/elf/index.js';
import { BPF_CALL, BPF_JMP, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_KFUNC_CALL, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE } from '../../../src/bpf/opcodes.js';
import { BPF_MAP_TYPE, BPF_PROG_TYPE, type MapSpec, type ObjectSpec, mapTypeName } from '../../../src/bpf/spec.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const load = (rel: string): ObjectSpec => loadObjectFile(join(ROOT, `${rel}.o`));

interface KernelMap {
  type: string;
  flags: number;
  bytes_key: number;
  bytes_value: number;
  max_entries: number;
  contents?: Record<string, string>;
}
interface KernelObject {
  maps: Record<string, KernelMap>;
  calls: Record<string, [number, number][]>;
}
const kernel = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/elf/kernel-objects.json'), 'utf8')) as Record<string, KernelObject | string>;

/** Programs whose kernel translation differs in length from the object's (bpf_loop is inlined). */
const KERNEL_REWRITES_LAYOUT = new Set(['calls_a']);

function staticContents(m: MapSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of m.contents) {
    if ('prog' in e) out[String(e.key)] = e.prog;
    else if ('map' in e) out[String(e.key)] = e.map;
  }
  return out;
}

describe('objects match what the kernel created from them', () => {
  for (const [rel, k] of Object.entries(kernel)) {
    if (typeof k === 'string') continue;
    it(rel, () => {
      const obj = load(rel);
      expect([...obj.maps.keys()].sort()).toEqual(Object.keys(k.maps).sort());
      for (const [name, km] of Object.entries(k.maps)) {
        const m = obj.maps.get(name)!;
        // libbpf sizes a perf event array with max_entries 0 to the CPU count at creation.
        const maxEntries = m.type === BPF_MAP_TYPE.PERF_EVENT_ARRAY && m.maxEntries === 0 ? km.max_entries : m.maxEntries;
        expect({ name, type: mapTypeName(m.type), flags: m.flags, key: m.keySize, value: m.valueSize, max: maxEntries }).toEqual({
          name,
          type: km.type,
          flags: km.flags,
          key: km.bytes_key,
          value: km.bytes_value,
          max: km.max_entries,
        });
        if (km.contents) expect(staticContents(m)).toEqual(km.contents);
      }
      expect([...obj.programs.keys()].sort()).toEqual(Object.keys(k.calls).sort());
      for (const [name, calls] of Object.entries(k.calls)) {
        if (KERNEL_REWRITES_LAYOUT.has(name)) continue;
        const p = obj.programs.get(name)!;
        const ours = p.insns.flatMap((x, i) => (x.code === (BPF_JMP | BPF_CALL) && x.src === BPF_PSEUDO_CALL ? [[i, i + x.imm + 1]] : []));
        expect(ours).toEqual(calls);
      }
    });
  }
});

describe('example objects', () => {
  it('flow_counter: one tc program, three map references to the hash', () => {
    const o = load('bpf/flow_counter');
    expect(o.license).toBe('GPL');
    const p = o.programs.get('count_flows')!;
    expect(p).toMatchObject({ section: 'tc', type: BPF_PROG_TYPE.SCHED_CLS, license: 'GPL' });
    expect(p.relocs.map((r) => r.kind)).toEqual(['map', 'map', 'map']);
    for (const r of p.relocs) {
      expect(p.insns[r.insn]).toMatchObject({ code: 0x18, src: BPF_PSEUDO_MAP_FD, imm: 0 });
      expect(p.insns[r.insn + 1]).toMatchObject({ code: 0, imm: 0 });
    }
    const m = o.maps.get('flows')!;
    expect(m).toMatchObject({ section: '.maps', pinning: 'none', contents: [] });
    expect(m.btfKeyTypeId).toBeGreaterThan(0);
    expect(p.lineInfo?.get(0)?.text).toContain('count_flows');
  });

  it('global_data: data maps hold the section images; relocs carry offsets; subprograms appended', () => {
    const o = load('bpf/global_data');
    const p = o.programs.get('use_globals')!;
    expect(p.funcs).toEqual([
      { name: 'use_globals', insn: 0 },
      { name: 'classify', insn: 43 },
      { name: 'mix', insn: 62 },
    ]);
    const mv = p.relocs.filter((r) => r.kind === 'map_value');
    expect(mv.map((r) => [r.map, r.offset])).toEqual([
      ['.bss', 0], ['.data', 0], ['.data', 8], ['.bss', 8], ['.rodata', 4], ['.rodata', 0],
    ]);
    for (const r of mv) expect(p.insns[r.insn]).toMatchObject({ src: BPF_PSEUDO_MAP_VALUE, imm: 0 });
    // `mix` reads cfg_mult: its relocation moved with it to the appended copy.
    expect(mv.at(-1)!.insn).toBeGreaterThan(62);
    const data = o.maps.get('.data')!;
    expect(data.globalData).toBe('data');
    expect(Buffer.from((data.contents[0] as { value: Uint8Array }).value).toString('hex')).toBe('e803000000000000ffffffff');
    const ro = o.maps.get('.rodata')!;
    expect(Buffer.from((ro.contents[0] as { value: Uint8Array }).value).toString('hex')).toBe('1f000000a0b0c0d0');
    expect(o.maps.get('.bss')!.contents[0]).toMatchObject({ value: new Uint8Array(24) });
  });

  it('tail_dispatch: cilium/ebpf prefix rule makes tc/entry and tc/tail_* SCHED_CLS', () => {
    const o = load('bpf/tail_dispatch');
    for (const n of ['dispatch', 'tail_tcp', 'tail_udp', 'tail_icmp']) expect(o.programs.get(n)!.type).toBe(BPF_PROG_TYPE.SCHED_CLS);
    expect(o.maps.get('jmp_table')!.contents).toEqual([{ key: 6, prog: 'tail_tcp' }, { key: 17, prog: 'tail_udp' }]);
  });

  it('map_in_map: inner map template and static slots', () => {
    const o = load('bpf/map_in_map');
    const outer = o.maps.get('outer_arr')!;
    expect(outer.innerMap).toMatchObject({ name: 'outer_arr.inner', type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 });
    expect(o.maps.get('outer_hash')!.contents).toEqual([{ key: 1, map: 'inner_b' }]);
  });

  it('legacy_tail: iproute2 bpf_elf_map with id/pinning, "2/N" sections fill prog array id 2', () => {
    const o = load('bpf/legacy_tail');
    expect(o.maps.get('legacy_cnt')).toMatchObject({ section: 'maps', type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, legacyId: 1, pinning: 'global_ns', legacyPinning: 2 });
    expect(o.maps.get('legacy_jmp')).toMatchObject({ type: BPF_MAP_TYPE.PROG_ARRAY, legacyId: 2, contents: [{ key: 0, prog: 'legacy_tcp' }, { key: 1, prog: 'legacy_udp' }] });
    expect(o.programs.get('legacy_tcp')).toMatchObject({ section: '2/0', type: BPF_PROG_TYPE.SCHED_CLS });
  });

  it('specs are frozen', () => {
    const o = load('bpf/flow_counter');
    const p = o.programs.get('count_flows')!;
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.insns)).toBe(true);
    expect(Object.isFrozen(o.maps.get('flows'))).toBe(true);
  });
});

describe('edge-case objects', () => {
  it('edge_calls: depth-first subprogram layout like libbpf; callbacks become PSEUDO_FUNC', () => {
    const o = load('test/fixtures/elf/edge_calls');
    const a = o.programs.get('calls_a')!;
    expect(a.funcs.map((f) => f.name)).toEqual(['calls_a', 'loop_cb', 'middle', 'leaf', 'global_helper']);
    const fr = a.relocs.find((r) => r.kind === 'func')!;
    expect(fr).toMatchObject({ kind: 'func', target: a.funcs[1].insn });
    expect(a.insns[fr.insn]).toMatchObject({ src: BPF_PSEUDO_FUNC, imm: a.funcs[1].insn - fr.insn - 1 });
    expect(o.programs.get('calls_b')).toMatchObject({ attachType: 'tcx_ingress', section: 'tcx/ingress' });
    expect(o.programs.get('calls_c')).toMatchObject({ attachType: 'tcx_egress' });
    expect(o.license).toBe('Dual BSD/GPL');
  });

  it('edge_lenient: same-section static call without relocation, .bss.*, ? prefix, pin by name', () => {
    const o = load('test/fixtures/elf/edge_lenient');
    const p = o.programs.get('samesec')!;
    expect(p.funcs.map((f) => f.name)).toEqual(['samesec', 'same_section']);
    const call = p.insns.findIndex((x) => x.code === (BPF_JMP | BPF_CALL) && x.src === BPF_PSEUDO_CALL);
    expect(call + p.insns[call].imm + 1).toBe(p.funcs[1].insn);
    expect(o.programs.get('not_autoloaded')).toMatchObject({ section: '?tc/off', type: BPF_PROG_TYPE.SCHED_CLS });
    expect(o.maps.get('.bss.extra')).toMatchObject({ globalData: 'bss', valueSize: 8 });
    expect(o.maps.get('by_name')!.pinning).toBe('by_name');
  });

  it('edge_data: ringbuf rounded up to a page power of two; bloom map_extra; custom data sections', () => {
    const o = load('test/fixtures/elf/edge_data');
    expect(o.maps.get('rb')!.maxEntries).toBe(8192);
    expect(o.maps.get('bloom')).toMatchObject({ keySize: 0, valueSize: 4, mapExtra: 3 });
    expect(o.maps.get('.rodata.cfg')).toMatchObject({ globalData: 'rodata' });
  });

  it('edge_ksym: a __ksym kfunc call is a ksym relocation marked BPF_PSEUDO_KFUNC_CALL', () => {
    const p = load('test/fixtures/elf/edge_ksym').programs.get('use_kfunc')!;
    expect(p.relocs).toEqual([{ insn: 0, kind: 'ksym', symbol: 'bpf_skc_to_udp6_sock_kfunc_stub' }]);
    expect(p.insns[0]).toMatchObject({ code: BPF_JMP | BPF_CALL, src: BPF_PSEUDO_KFUNC_CALL, imm: 0 });
  });

  it('edge_legacy: 20-byte bpf_map_def', () => {
    const o = load('test/fixtures/elf/edge_legacy');
    expect(o.maps.get('old_hash')).toMatchObject({ type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 8, maxEntries: 16, flags: 1, legacyId: 0 });
    expect(o.maps.get('old_array')).toMatchObject({ type: BPF_MAP_TYPE.ARRAY, maxEntries: 2 });
  });

  it('edge_legacy_mim: iproute2 inner_id / inner_idx', () => {
    const o = load('test/fixtures/elf/edge_legacy_mim');
    const outer = o.maps.get('map_outer')!;
    expect(outer.innerMap).toMatchObject({ type: BPF_MAP_TYPE.ARRAY, valueSize: 4 });
    expect(outer.contents).toEqual([{ key: 1, map: 'map_inner' }]);
    expect(outer.legacyPinning).toBe(5);
    expect(o.programs.get('legacy_mim')!.type).toBe(BPF_PROG_TYPE.SCHED_CLS);
  });
});
