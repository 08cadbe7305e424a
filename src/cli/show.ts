// show.ts: one-object descriptions of live programs and maps in bpftool's `prog show` /
// `map show` line shapes, as text and as JSON.
import { compileNow, engineOf } from '../bpf/jit/engine.js';
import type { BpfMap } from '../bpf/maps/map.js';
import { BPF_PROG_TYPE } from '../bpf/spec.js';
import type { Program } from '../sim/program.js';
import { isGplCompatible } from '../sim/simulator.js';

export function progTypeName(type: number): string {
  for (const [k, v] of Object.entries(BPF_PROG_TYPE)) if (v === type) return k.toLowerCase();
  return `type ${type}`;
}

export function describeProgram(p: Program): { text: string; json: Record<string, unknown> } {
  const gpl = isGplCompatible(p.spec.license);
  const mapIds = p.maps.map((m) => m.id);
  compileNow(p);
  const eng = engineOf(p);
  const engine = eng.engine === 'compiled' ? 'compiled' : `interpreter (${eng.reason ?? 'not compiled'})`;
  // the tag is a SHA-1 over the instructions, computed on every read
  const tag = p.tag;
  const type = progTypeName(p.type);
  const text =
    `${p.id}: ${type}  name ${p.name}  tag ${tag}${gpl ? '  gpl' : ''}\n` +
    `\tsection ${p.section}  xlated ${p.insns.length * 8}B  insns ${p.insns.length}` +
    `${mapIds.length ? `  map_ids ${mapIds.join(',')}` : ''}  engine ${engine}\n`;
  return {
    text,
    json: { id: p.id, type, name: p.name, tag, gpl_compatible: gpl, section: p.section, bytes_xlated: p.insns.length * 8, insns: p.insns.length, map_ids: mapIds, engine: eng.engine, ...(eng.reason ? { engine_reason: eng.reason } : {}) },
  };
}

export function describeMap(m: BpfMap): { text: string; json: Record<string, unknown> } {
  const text = `${m.id}: ${m.typeName}  name ${m.name}  flags 0x${m.flags.toString(16)}\n\tkey ${m.keySize}B  value ${m.valueSize}B  max_entries ${m.maxEntries}\n`;
  return { text, json: { id: m.id, type: m.typeName, name: m.name, flags: m.flags, bytes_key: m.keySize, bytes_value: m.valueSize, max_entries: m.maxEntries } };
}
