// link.ts: lays out one entry program followed by every function it reaches through
// bpf-to-bpf calls or function-address loads, depth first in the order libbpf's
// bpf_object__reloc_code appends them, fixing each call's pc-relative imm for the new layout:
//   [ entry | A | A's callee | B ... ]   call imm = start(callee) + delta - (pc + 1)
import { SimError } from '../../errors.js';
import type { LineInfo } from '../btf/ext.js';
import type { Insn } from '../insn.js';
import { BPF_CALL, BPF_JMP, BPF_PSEUDO_BTF_ID, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_KFUNC_CALL, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE, isLddw } from '../opcodes.js';
import type { ProgramReloc } from '../spec.js';
import { type CodeSection, type Func, funcAt } from './code.js';

export interface LinkedCode {
  readonly insns: readonly Insn[];
  readonly relocs: readonly ProgramReloc[];
  readonly funcs: readonly { readonly name: string; readonly insn: number }[];
  readonly lineInfo: ReadonlyMap<number, { file: string; line: number; col: number; text: string }>;
}

export function linkProgram(
  entry: Func,
  sections: ReadonlyMap<number, CodeSection>,
  lineInfo: ReadonlyMap<string, readonly LineInfo[]>,
  file: string,
): LinkedCode {
  const placed = new Map<Func, number>();
  const order: Func[] = [];
  let size = 0;
  const place = (f: Func): number => {
    let base = placed.get(f);
    if (base === undefined) {
      base = size;
      placed.set(f, base);
      order.push(f);
      size += f.end - f.start;
    }
    return base;
  };
  place(entry);

  const insns: Insn[] = [];
  const relocs: ProgramReloc[] = [];
  const lines = new Map<number, { file: string; line: number; col: number; text: string }>();
  // Depth first, like libbpf: a callee is appended and relocated as soon as it is first met,
  // so the layout (and every call offset) equals what the kernel receives from libbpf.
  const relocate = (f: Func): void => {
    const base = placed.get(f)!;
    const cs = f.section;
    for (let j = f.start; j < f.end; j++) {
      const pc = base + (j - f.start);
      const src = cs.insns[j];
      const at = `${file}: section ${cs.sec.name}: insn ${j}`;
      const r = cs.relocs.get(j);
      const callee = (section: number, target: number): number => {
        const tcs = sections.get(section);
        const tf = tcs && funcAt(tcs, target);
        if (!tcs || !tf) {
          throw new SimError('EINVAL', `${at}: target insn ${target} of section ${tcs?.sec.name ?? `#${section}`} is in no function`);
        }
        if (tf.entry && tf !== entry && section !== cs.sec.index) {
          // libbpf: callees and callbacks must be subprograms, not other entry programs.
          throw new SimError('EINVAL', `${at}: calls '${tf.name}', an entry program of section ${tcs.sec.name}`);
        }
        const known = placed.has(tf);
        const start = place(tf);
        if (!known) relocate(tf);
        return start + (target - tf.start);
      };
      let out: Insn = src;
      if (r?.kind === 'call' || (!r && src.code === (BPF_JMP | BPF_CALL) && src.src === BPF_PSEUDO_CALL)) {
        // Without a relocation the call is pc-relative inside its own section.
        const target = r?.kind === 'call' ? callee(r.section, r.target) : callee(cs.sec.index, j + src.imm + 1);
        out = { ...src, imm: target - pc - 1 };
      } else if (r?.kind === 'func' || (!r && isLddw(src.code) && src.src === BPF_PSEUDO_FUNC)) {
        const target = r?.kind === 'func' ? callee(r.section, r.target) : callee(cs.sec.index, j + src.imm + 1);
        // clang <= 14 leaves src_reg 0 here; the kernel ABI wants PSEUDO_FUNC and a relative imm.
        out = { ...src, src: BPF_PSEUDO_FUNC, imm: target - pc - 1 };
        relocs.push({ insn: pc, kind: 'func', target });
      } else if (r?.kind === 'map') {
        out = { ...src, src: BPF_PSEUDO_MAP_FD, imm: 0 };
        relocs.push({ insn: pc, kind: 'map', map: r.map });
      } else if (r?.kind === 'map_value') {
        out = { ...src, src: BPF_PSEUDO_MAP_VALUE, imm: 0 };
        relocs.push({ insn: pc, kind: 'map_value', map: r.map, offset: r.offset });
      } else if (r?.kind === 'ksym') {
        // libbpf marks kfunc calls BPF_PSEUDO_KFUNC_CALL and ksym loads BPF_PSEUDO_BTF_ID.
        out = { ...src, src: isLddw(src.code) ? BPF_PSEUDO_BTF_ID : BPF_PSEUDO_KFUNC_CALL, imm: 0 };
        relocs.push({ insn: pc, kind: 'ksym', symbol: r.symbol });
      }
      insns[pc] = Object.freeze(out);
      // The lddw's second slot: zero its imm for map relocs (the loader fills in the map).
      if ((r?.kind === 'map' || r?.kind === 'map_value') && j + 1 < f.end) {
        insns[pc + 1] = Object.freeze({ ...cs.insns[j + 1], imm: 0 });
        j++;
      }
    }
    for (const li of lineInfo.get(cs.sec.name) ?? []) {
      if (li.insn >= f.start && li.insn < f.end) {
        lines.set(base + (li.insn - f.start), { file: li.file, line: li.line, col: li.col, text: li.text });
      }
    }
  };
  relocate(entry);
  relocs.sort((a, b) => a.insn - b.insn);
  const funcs = order.map((f) => Object.freeze({ name: f.name, insn: placed.get(f)! }));
  return { insns: Object.freeze(insns), relocs: Object.freeze(relocs), funcs: Object.freeze(funcs), lineInfo: lines };
}
