// compile.ts: an Executable -> one JavaScript module (new Function) with a function per BPF
// function entry. Each function keeps registers in int32 locals, charges the instruction budget
// once per basic block, and is laid out as structured code (labeled blocks and loops, Ramsey's
// "Beyond Relooper") when its graph is reducible, else as a `for (;;) switch` over blocks.
// Register types (types.ts) pick specialised accesses; bpf_map_lookup_elem on a constant map with
// a stack key calls the map directly (directLookup). Returns the code, or the reason the program
// stays on the interpreter.
//
//   function F<entry>(vm, depth)   enter: r0..r10 from vm.regs   exit: all back, r0 = result
//     budget short for a block  -> the interpreter finishes the frame from that block (it faults)
//     fault                     -> locals to vm.regs, insnCount corrected to the faulting insn
import type { Executable, Vm } from '../vm.js';
import { OP_CALL_LOCAL, OP_FAULT, OP_FELL_OFF, preparedOf, type Prepared } from '../interp/prepare.js';
import { fellOffEnd } from '../interp/calls.js';
import { buildCfg, functionEntries, isCondJump, isLdAbs, OP_CALL, OP_CALLX, OP_EXIT, OP_GOTOL, OP_JA, slotsOf, type FuncCfg } from './cfg.js';
import { ALL_REGS, condition, emitInsn, emitLdAbs, syncIn, syncOut } from './emit.js';
import { liveOut } from './liveness.js';
import { rt, type CompiledCode, type EntryFn } from './runtime.js';
import { constants, type Consts } from './consts.js';
import { stackLow } from './stack.js';
import { analyse, type Shape } from './structure.js';
import { T_CTX, T_STACK, regTypes, type RegTypes } from './types.js';
import { ctxEntryCode } from './ctx-access.js';
import { TAG_MAP_PTR } from '../memory.js';
import { MAX_BPF_STACK } from '../opcodes.js';
import { BPF_FUNC_map_lookup_elem } from '../helpers/maps.js';

/** Larger functions compile to bytecode V8 will not optimise (about 60 KB); they stay interpreted. */
export const MAX_COMPILED_INSNS = 4096;

export interface CompileOptions {
  /** Skip computing high words nobody reads (default true). Off: every register is exact at exit. */
  deadHalves?: boolean;
}

export type CompileResult =
  | { readonly ok: true; readonly code: CompiledCode; readonly source: string }
  | { readonly ok: false; readonly reason: string };

export function compileExecutable(exe: Executable, opts: CompileOptions = {}): CompileResult {
  const p = preparedOf(exe);
  const n = p.insns.length;
  if (n > MAX_COMPILED_INSNS) {
    return { ok: false, reason: `${n} instructions is more than the compiler's limit of ${MAX_COMPILED_INSNS}` };
  }
  const entries = functionEntries(p);
  const cfgs = entries.map((e) => buildCfg(p, e));
  let total = 0;
  let ldAbs = false;
  let calls = false;
  for (const cfg of cfgs) {
    for (const b of cfg.blocks) {
      total += b.count;
      const op = p.code[2 * b.last] & 0xff;
      if (isLdAbs(op)) ldAbs = true;
      if (op === OP_CALL_LOCAL || op === OP_CALLX) calls = true;
    }
  }
  if (total > 2 * MAX_COMPILED_INSNS) {
    return { ok: false, reason: `its functions span ${total} instructions, more than the compiler's limit of ${2 * MAX_COMPILED_INSNS}` };
  }
  if (ldAbs && (calls || entries.length > 1)) {
    // the kernel's verifier refuses this mix too; the interpreter ends the whole run from any depth
    return { ok: false, reason: 'LD_ABS/LD_IND together with bpf-to-bpf calls' };
  }
  const deadHalves = opts.deadHalves ?? true;
  const low = stackLow(p, cfgs[0]);
  const afters: Int32Array[] = [];
  const parts: string[] = [];
  parts.push(
    '"use strict";',
    'const { ld, ldHi, st, div32, div64, mulhu, bswap16, bswap32, atomic, unknownHelper, fault, interpret, enter, callx, tail, ldabs, after, SKB, LK, directMap } = rt;',
    'const S = rt.state;',
  );
  const sites: string[] = ['CRV = null'];
  cfgs.forEach((cfg, k) => {
    afters.push(afterTable(p, cfg));
    parts.push(emitFunction(p, exe.name, cfg, k, deadHalves, low, sites));
  });
  if (sites.length > 0) parts.splice(3, 0, `let ${sites.join(', ')};`);
  parts.push(`return new Map([${entries.map((e) => `[${e}, F${e}]`).join(', ')}]);`);
  const source = parts.join('\n');
  const holder: { code: CompiledCode | null } = { code: null };
  let fns: Map<number, EntryFn>;
  try {
    const factory = new Function('rt', 'EXE', 'K', 'AF', source) as (...a: unknown[]) => Map<number, EntryFn>;
    fns = factory(rt, exe, holder, afters);
  } catch (e) {
    return { ok: false, reason: `code generation failed: ${e instanceof Error ? e.message : String(e)}` };
  }
  const main = fns.get(0) as EntryFn;
  // F0 takes Vm.exec's (vm, exe) call itself (no closure in between): depth 0 when not a number
  const code: CompiledCode = { entries: fns, main, stackLow: low, enter: main as unknown as (vm: Vm) => void };
  holder.code = code;
  return { ok: true, code, source };
}

/** Per slot: instructions of its block after it (what a fault there takes back from the block's charge). */
function afterTable(p: Prepared, cfg: FuncCfg): Int32Array {
  const t = new Int32Array(p.insns.length + 1);
  for (const b of cfg.blocks) {
    const slots = slotsOf(p, b);
    slots.forEach((pc, i) => (t[pc] = slots.length - 1 - i));
  }
  return t;
}

/**
 * The registers a function's code names: the dst/src fields of its instructions, r0..r5 around
 * helper calls and LD_ABS, all of them around bpf-to-bpf calls, r0 and r10 always. The others
 * are never loaded from vm.regs nor written back, so they keep what the run's setup, helpers and
 * callees left there, as they do under the interpreter; small programs skip most of the 44
 * loads and stores of entry and exit.
 */
function usedRegs(p: Prepared, cfg: FuncCfg): number {
  let used = 1 | (1 << 10);
  for (const b of cfg.blocks) {
    for (const pc of slotsOf(p, b)) {
      const w = p.code[2 * pc];
      const op = w & 0xff;
      used |= (1 << ((w >> 8) & 0xf)) | (1 << ((w >> 12) & 0xf));
      if (op === OP_CALL || isLdAbs(op)) used |= 0x3f;
      if (op === OP_CALL_LOCAL || op === OP_CALLX) used |= ALL_REGS;
    }
  }
  return used & ALL_REGS;
}

/** Whether some load or store goes through the entry r1 + K (the prologue then checks r1). */
function usesCtxTypes(p: Prepared, cfg: FuncCfg, ty: RegTypes): boolean {
  for (const b of cfg.blocks) {
    for (const pc of slotsOf(p, b)) {
      const w = p.code[2 * pc];
      const cls = w & 7;
      const base = cls === 1 ? (w >> 12) & 0xf : cls === 2 || (cls === 3 && (w & 0xe0) === 0x60) ? (w >> 8) & 0xf : -1;
      if (base >= 0 && base <= 10 && ty.kind[pc * 11 + base] === T_CTX) return true;
    }
  }
  return false;
}

function emitFunction(p: Prepared, name: string, cfg: FuncCfg, k: number, deadHalves: boolean, low: number, sites: string[]): string {
  const shape = analyse(cfg);
  const used = usedRegs(p, cfg);
  const out = liveOut(p, cfg, !deadHalves);
  const cst = constants(p, cfg);
  const ty = regTypes(p, cfg);
  const blocks = cfg.blocks;
  const fname = `F${cfg.entry}`;
  const structured = shape.reducible;
  const tailLow = cfg.entry === 0 ? low : 0;

  const branch = (x: number, y: number): string => {
    if (!structured) return `nb = ${y}; continue disp;`;
    if (y <= x) return `continue L${y};`;
    if (shape.merge[y]) return `break B${y};`;
    return doTree(y);
  };
  const simple = (x: number, y: number): boolean => !structured || y <= x || shape.merge[y] === 1;

  const blockCode = (x: number): string => {
    const b = blocks[x];
    const lines: string[] = [`if ((count += ${b.count}) > limit) { count -= ${b.count}; bpc = ${b.start}; break epi; }`];
    const slots = slotsOf(p, b);
    const last = b.last;
    const w = p.code[2 * last];
    const op = w & 0xff;
    for (const pc of slots) {
      if (pc === last) break;
      lines.push(emitInsn(p, pc, out[pc], cst, ty));
    }
    const fall = b.succs[0];
    if (op === OP_EXIT) {
      lines.push('bpc = -1; break epi;');
    } else if (op === OP_FAULT || op === OP_FELL_OFF) {
      const f = op === OP_FELL_OFF ? fellOffEnd(name, last) : p.faults.get(last);
      const kind = f?.kind ?? 'unknown_opcode';
      const detail = f?.detail ?? `unknown opcode 0x${op.toString(16)}`;
      lines.push(`throw fault(${JSON.stringify(kind)}, ${last}, ${JSON.stringify(detail)});`);
    } else if (op === OP_JA || op === OP_GOTOL) {
      lines.push(branch(x, fall));
    } else if (isCondJump(op)) {
      const taken = b.succs[1];
      const cond = condition(op, (w >> 8) & 0xf, (w >> 12) & 0xf, p.code[2 * last + 1]);
      if (taken === fall) lines.push(branch(x, fall));
      else if (simple(x, taken) || !simple(x, fall)) lines.push(`if (${cond}) { ${branch(x, taken)} }`, branch(x, fall));
      else lines.push(`if (!(${cond})) { ${branch(x, fall)} }`, branch(x, taken));
    } else if (op === OP_CALL) {
      const id = p.code[2 * last + 1];
      const generic = helperCall(id, last, tailLow, used);
      lines.push(directLookup(id, last, cst, ty, generic, sites) ?? generic, branch(x, fall));
    } else if (op === OP_CALL_LOCAL) {
      lines.push(localCall(last + p.code[2 * last + 1] + 1, last), branch(x, fall));
    } else if (op === OP_CALLX) {
      lines.push(indirectCall((w >> 8) & 0xf, last, tailLow, used), branch(x, fall));
    } else if (isLdAbs(op)) {
      lines.push(emitLdAbs(p, last), branch(x, fall));
    } else {
      // the block ends because the next slot starts another block
      lines.push(emitInsn(p, last, out[last], cst, ty), branch(x, fall));
    }
    return lines.join('\n');
  };

  const doTree = (x: number): string => {
    const merges = shape.children[x].filter((c) => shape.merge[c] === 1).sort((a, b) => b - a);
    let code = nodeWithin(x, merges, 0);
    if (shape.loopHeader[x]) code = `L${x}: for (;;) {\n${code}\n}`;
    return code;
  };
  const nodeWithin = (x: number, ys: number[], i: number): string => {
    if (i === ys.length) return blockCode(x);
    return `B${ys[i]}: {\n${nodeWithin(x, ys, i + 1)}\n}\n${doTree(ys[i])}`;
  };

  let body: string;
  if (structured) body = doTree(0);
  else {
    body = `let nb = 0;\ndisp: for (;;) switch (nb) {\n`;
    for (let x = 0; x < blocks.length; x++) body += `case ${x}: {\n${blockCode(x)}\n}\n`;
    body += '}';
  }
  const decl: string[] = [];
  for (let r = 0; r <= 10; r++) if ((used >> r) & 1) decl.push(`l${r} = regs[${2 * r}], h${r} = regs[${2 * r + 1}]`);
  const head = cfg.entry === 0 ? `function ${fname}(vm, dp) {\nconst depth = typeof dp === 'number' ? dp : 0;` : `function ${fname}(vm, depth) {`;
  return `${head}
const regs = vm.regs, rg = vm.memory.regions, hs = vm.helpers, limit = vm.insnLimit, AFT = AF[${k}];
let count = vm.insnCount;
let ${decl.join(', ')};
const SR = rg[h10], SV = SR.view;${usesCtxTypes(p, cfg, ty) ? `\n${ctxEntryCode()}` : ''}
let o = 0, t = 0, n = 0, R = null, V = null, H = null, C = null, X = null, hc = 0, bpc = -1;
try {
epi: {
${body}
}
${syncOut(0, 10, used)}
vm.insnCount = count;
if (bpc >= 0) interpret(vm, EXE, bpc, depth);
return;
} catch (e) {
if (e !== S.synced) {
S.synced = e;
if (hc === 0) { ${syncOut(0, 5, used)} vm.insnCount = count - after(AFT, e); } else vm.insnCount = count;
${syncOut(6, 10, used)}
}
throw e;
}
}`;
}

/** Helper call (interp/exec.ts 0x85): r0..r5 to vm.regs, r0..r5 back, then a pending tail call. */
function helperCall(id: number, pc: number, low: number, used: number): string {
  return (
    `H = hs[${id}]; if (H === undefined) throw unknownHelper(${id}, ${pc});\n` +
    `${syncOut(0, 5)}\nvm.pc = ${pc}; vm.insnCount = count; vm.depth = depth;\n` +
    `hc = 1; H(vm); hc = 0;\ncount = vm.insnCount;\n${syncIn(0, 5)}\n${tailTaken(low, used)}`
  );
}

/** After a helper returns (by `call` or `callx`): a pending bpf_tail_call replaces this frame. */
function tailTaken(low: number, used: number): string {
  return `if (vm.tailCallTarget !== null) { ${syncOut(6, 10, used)} tail(vm, depth, ${low}); return; }`;
}

/**
 * bpf_map_lookup_elem(&map, r10 + K) with the map a constant (lddw) and the key on this frame's
 * stack: the helper's work without its argument decoding (maps.ts mapArg/retPtr, registry.ts memArg), the
 * register round trip or a result object, when the VM's helper is the standard one and the map
 * a plain hash or array map whose key fits above r10 + K. Per call site, the map is looked up
 * once per HelperEnv (maps are never removed from a live env). Anything else: the generic call.
 */
function directLookup(id: number, pc: number, cst: Consts, ty: RegTypes, generic: string, sites: string[]): string | null {
  if (id !== BPF_FUNC_map_lookup_elem) return null;
  if (cst.known[pc * 11 + 1] !== 1 || cst.value[pc * 22 + 3] !== TAG_MAP_PTR) return null;
  if (ty.kind[pc * 11 + 2] !== T_STACK) return null;
  const key = ty.off[pc * 11 + 2];
  if (key >= 0) return null;
  const E = `E${pc}`;
  const M = `M${pc}`;
  sites.push(`${E} = null`, `${M} = null`);
  return (
    `if (vm.env !== ${E}) { ${E} = vm.env; ${M} = directMap(${E}, ${cst.value[pc * 22 + 2]}); }\n` +
    `if (${M} !== null && hs[${id}] === LK && ${M}.keySize <= ${-key}) { ` +
    `t = ${M}.progLookup(SR, ${MAX_BPF_STACK + key}, ${E}.cpu); if (t < 0) { l0 = 0; h0 = 0; } else { l0 = t | 0; h0 = ${M}.valueTag; } ` +
    `} else {\n${generic}\n}`
  );
}

/** bpf-to-bpf call to a compiled entry: a new frame, r6..r10 stay in this function's locals. */
function localCall(target: number, pc: number): string {
  return (
    `${syncOut(0, 9)}\nvm.insnCount = count;\nenter(vm, depth, ${pc});\nF${target}(vm, depth + 1);\n` +
    `vm.depth = depth; vm.current = EXE; count = vm.insnCount;\n${syncIn(0, 5)}`
  );
}

/** `callx` (runtime.ts callx): a local call or a helper, then a tail call that helper left pending. */
function indirectCall(d: number, pc: number, low: number, used: number): string {
  return (
    `${syncOut(0, 9)}\nvm.insnCount = count;\n` +
    `hc = 1; callx(vm, EXE, K.code, l${d}, h${d}, ${pc}, depth); hc = 0;\n` +
    `vm.depth = depth; vm.current = EXE; count = vm.insnCount;\n${syncIn(0, 5)}\n${tailTaken(low, used)}`
  );
}

export type { Shape };
