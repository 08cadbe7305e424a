// asm-program.ts: a ProgramSpec from assembly text (llvm-objdump syntax, see src/bpf/asm), for
// inline programs in scenario files, the op-file `send` programs and tests. Map references
// (`r1 = map[name] ll`) become relocations resolved against the maps given at load.
import { assembleProgram } from '../bpf/asm/index.js';
import { BPF_PROG_TYPE, type ProgramSpec } from '../bpf/spec.js';

export function programFromAsm(text: string, name: string, opts: { source?: string; license?: string } = {}): ProgramSpec {
  const p = assembleProgram(text, { source: opts.source ?? name });
  return {
    name,
    section: 'tc',
    type: BPF_PROG_TYPE.SCHED_CLS,
    insns: p.insns,
    relocs: p.relocs,
    license: opts.license ?? 'GPL',
    funcs: p.funcs.length > 0 && p.funcs[0].insn === 0 ? p.funcs : [{ name, insn: 0 }, ...p.funcs],
  };
}
