// listing.ts: a whole program as `llvm-objdump -d` lays it out (`      12:\tr0 = 0`, function
// headers `0000000000000010 <sub>:`, branch targets `<prog+0x60>`). The assembler reads a
// listing back, so `assemble(disassemble(x))` gives `x` again.
import type { Insn } from '../insn.js';
import { INSN_SIZE } from '../insn.js';
import { isLddw } from '../opcodes.js';
import { type DisasmOptions, disasmInsn } from './disasm.js';

export interface ListingOptions extends DisasmOptions {
  /** Function starts: printed as headers, and branch targets named `<func+0xOFF>` like objdump. */
  readonly funcs?: readonly { readonly name: string; readonly insn: number }[];
  /** Give every branch target a label line `L<index>:` and name targets `<L<index>>`. */
  readonly labels?: boolean;
  /** Show the instruction bytes as objdump does without --no-show-raw-insn. */
  readonly raw?: boolean;
}

/** Every jump/call target of the program (instruction indices). */
export function branchTargets(insns: readonly Insn[]): Set<number> {
  const out = new Set<number>();
  for (let pc = 0; pc < insns.length; pc++) {
    const t = targetOf(insns, pc);
    if (t !== undefined) out.add(t);
    if (isLddw(insns[pc].code)) pc++;
  }
  return out;
}

function targetOf(insns: readonly Insn[], pc: number): number | undefined {
  // Recover the target from the text's own `+N`, so this stays in step with the disassembler.
  let seen: number | undefined;
  disasmInsn(insns, pc, { symbolize: (t) => ((seen = t), undefined) });
  return seen;
}

export function disassemble(insns: readonly Insn[], opts: ListingOptions = {}): string {
  const funcs = [...(opts.funcs ?? [])].sort((a, b) => a.insn - b.insn);
  const labelAt = new Map<number, string>();
  if (opts.labels === true) {
    const starts = new Set(funcs.map((f) => f.insn));
    for (const t of [...branchTargets(insns)].sort((a, b) => a - b)) {
      // Targets outside the program keep their bare offset: a label there could not exist.
      if (t >= 0 && t < insns.length && !starts.has(t)) labelAt.set(t, `L${t}`);
    }
  }
  const symbolize = (t: number): string | undefined => {
    const own = opts.symbolize?.(t);
    if (own !== undefined) return own;
    const label = labelAt.get(t);
    if (label !== undefined) return label;
    let f: (typeof funcs)[number] | undefined;
    for (const g of funcs) if (g.insn <= t) f = g;
    if (f === undefined) return undefined;
    return t === f.insn ? f.name : `${f.name}+0x${((t - f.insn) * INSN_SIZE).toString(16)}`;
  };
  const one: DisasmOptions = { ...opts, symbolize };
  const lines: string[] = [];
  let fi = 0;
  for (let pc = 0; pc < insns.length; pc++) {
    while (fi < funcs.length && funcs[fi].insn <= pc) {
      const f = funcs[fi++];
      if (f.insn !== pc) continue;
      if (lines.length > 0) lines.push('');
      lines.push(`${(pc * INSN_SIZE).toString(16).padStart(16, '0')} <${f.name}>:`);
    }
    const label = labelAt.get(pc);
    if (label !== undefined) lines.push(`${label}:`);
    const wide = isLddw(insns[pc].code) && pc + 1 < insns.length;
    const raw = opts.raw === true ? `${rawBytes(insns, pc, wide ? 2 : 1)}\t` : '';
    lines.push(`${String(pc).padStart(8)}:\t${raw}${disasmInsn(insns, pc, one)}`);
    if (wide) pc++;
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function rawBytes(insns: readonly Insn[], pc: number, n: number): string {
  const parts: string[] = [];
  for (let i = pc; i < pc + n; i++) {
    const x = insns[i];
    const b = [x.code, ((x.src & 0xf) << 4) | (x.dst & 0xf), x.off & 0xff, (x.off >> 8) & 0xff];
    for (let k = 0; k < 4; k++) b.push((x.imm >>> (8 * k)) & 0xff);
    for (const v of b) parts.push(v.toString(16).padStart(2, '0'));
  }
  return parts.join(' ');
}
