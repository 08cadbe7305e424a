// assemble.ts: BPF assembly text (llvm-objdump syntax plus labels, see README.md) into
// instruction slots and the relocations `map[name]` / `ksym[name]` leave for the loader.
// Two passes: parse every line, then resolve labels. Errors: EFORMAT `<source>:<line>:<col>: ...`.
import { SimError } from '../../errors.js';
import { helperId } from '../helpers/ids.js';
import type { Insn } from '../insn.js';
import { BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, isLddw } from '../opcodes.js';
import type { ProgramReloc } from '../spec.js';
import { LexError, type Token, blankListingPrefix, tokenize } from './lexer.js';
import { Cursor, type Fixup, ParseError, type RelocDraft, parseStmt } from './parse.js';

export interface AssembleOptions {
  /** Names the text in error messages (a file name); default `asm`. */
  readonly source?: string;
}

export interface AssembledProgram {
  readonly insns: Insn[];
  /** `map[name]`, `map[name][0]+OFF`, `ksym[name]`, `call kfunc[name]` and `func[...]` references, by slot */
  readonly relocs: ProgramReloc[];
  /** every label and the slot it names */
  readonly labels: ReadonlyMap<string, number>;
  /** the label at slot 0 (if any) and every `call label` target: the program's functions */
  readonly funcs: { readonly name: string; readonly insn: number }[];
}

interface Pending {
  readonly pc: number;
  readonly line: number;
  readonly fixup?: Fixup;
  readonly reloc?: RelocDraft;
}

/** `0000000000000010 <sub>:` headers of an objdump listing define a label. */
const FUNC_HEADER = /^\s*[0-9a-fA-F]{16} <([^<>\s]+)>:\s*$/;
/** Other objdump chrome that carries no instruction. */
const OBJDUMP_NOISE = /^(\S.*:\s+file format |Disassembly of section )/;

export function assemble(text: string, opts: AssembleOptions = {}): Insn[] {
  return assembleProgram(text, opts).insns;
}

export function assembleProgram(text: string, opts: AssembleOptions = {}): AssembledProgram {
  const source = opts.source ?? 'asm';
  const fail = (line: number, col: number, message: string): never => {
    throw new SimError('EFORMAT', `${source}:${line}:${col}: ${message}`);
  };
  const insns: Insn[] = [];
  const labels = new Map<string, number>();
  const pending: Pending[] = [];
  const lines = text.split(/\r?\n/);
  for (let li = 0; li < lines.length; li++) {
    const lineNo = li + 1;
    const line = lines[li];
    if (OBJDUMP_NOISE.test(line)) continue;
    const header = FUNC_HEADER.exec(line);
    if (header !== null) {
      define(labels, header[1], insns.length, () => fail(lineNo, line.indexOf('<') + 2, `label '${header[1]}' is already defined`));
      continue;
    }
    let toks: Token[];
    try {
      toks = tokenize(blankListingPrefix(line));
    } catch (e) {
      if (e instanceof LexError) return fail(lineNo, e.col, e.message);
      throw e;
    }
    let i = 0;
    while (toks[i]?.kind === 'id' && toks[i + 1]?.text === ':' && toks[i + 1]?.kind === 'op') {
      const t = toks[i];
      define(labels, t.text, insns.length, () => fail(lineNo, t.col, `label '${t.text}' is already defined`));
      i += 2;
    }
    if (i >= toks.length) continue;
    try {
      const stmt = parseStmt(new Cursor(toks.slice(i), line.length + 1));
      if (stmt.fixup !== undefined || stmt.reloc !== undefined) {
        pending.push({ pc: insns.length, line: lineNo, fixup: stmt.fixup, reloc: stmt.reloc });
      }
      for (const s of stmt.slots) insns.push(s);
    } catch (e) {
      if (e instanceof ParseError) return fail(lineNo, e.col, e.message);
      throw e;
    }
  }

  const relocs: ProgramReloc[] = [];
  const called = new Map<number, string>();
  for (const p of pending) {
    const x = insns[p.pc];
    if (p.reloc !== undefined) relocs.push({ insn: p.pc, ...p.reloc });
    const f = p.fixup;
    if (f === undefined) continue;
    const name = f.label.text;
    const target = labels.get(name);
    if (f.kind === 'call') {
      if (target !== undefined) {
        x.src = BPF_PSEUDO_CALL;
        x.imm = target - p.pc - 1;
        if (!called.has(target)) called.set(target, name);
        continue;
      }
      const id = helperId(name);
      if (id === undefined) fail(p.line, f.label.col, `unknown helper or label '${name}'`);
      x.imm = id as number;
      continue;
    }
    if (target === undefined) return fail(p.line, f.label.col, `undefined label '${name}'`);
    const delta = target - p.pc - 1;
    if (f.kind === 'branch' && f.field === 'off') {
      if (delta < -32768 || delta > 32767) {
        fail(p.line, f.label.col, `'${name}' is ${delta} instructions away, beyond a 16-bit jump offset (use gotol)`);
      }
      x.off = delta;
    } else {
      x.imm = delta;
    }
  }
  // As the ELF loader does (spec.ts): a func address carries its relative imm and a reloc.
  for (let pc = 0; pc < insns.length; pc++) {
    const x = insns[pc];
    if (isLddw(x.code) && x.src === BPF_PSEUDO_FUNC) relocs.push({ insn: pc, kind: 'func', target: pc + 1 + x.imm });
    if (isLddw(x.code)) pc++;
  }
  relocs.sort((a, b) => a.insn - b.insn);

  const funcs: { name: string; insn: number }[] = [];
  for (const [name, at] of labels) {
    if (at === 0) {
      funcs.push({ name, insn: 0 });
      break;
    }
  }
  for (const [at, name] of called) if (at !== 0) funcs.push({ name, insn: at });
  funcs.sort((a, b) => a.insn - b.insn);
  return { insns, relocs, labels, funcs };
}

function define(labels: Map<string, number>, name: string, pc: number, dup: () => never): void {
  if (labels.has(name)) dup();
  labels.set(name, pc);
}
