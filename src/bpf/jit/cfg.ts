// cfg.ts: the compiler's view of a packed program (interp/prepare.ts): function entries (pc 0,
// bpf-to-bpf call targets, function addresses loaded with lddw) and, per entry, its basic blocks
// in reverse postorder. A block ends at a jump, exit, call, LD_ABS/LD_IND or faulting slot, so the
// instruction count charged at its entry is exact wherever a helper or callee can look at it.
import { TAG_FUNC } from '../memory.js';
import { OP_CALL_LOCAL, OP_FAULT, OP_FELL_OFF, type Prepared } from '../interp/prepare.js';

export const OP_LDDW = 0x18;
export const OP_CALL = 0x85;
export const OP_CALLX = 0x8d;
export const OP_EXIT = 0x95;
export const OP_JA = 0x05;
export const OP_GOTOL = 0x06;

export interface Block {
  readonly id: number;
  /** First and one-past-last slot (an lddw takes two slots). */
  readonly start: number;
  end: number;
  /** Slot of the last instruction. */
  last: number;
  /** Instructions charged to the budget on entry (an lddw counts once, as in the interpreter). */
  count: number;
  /** Successor block ids: [fallthrough] or, for a conditional jump, [fallthrough, taken]. */
  succs: number[];
  /** Number of forward and backward in-edges (filled by structure.ts). */
  preds: number[];
}

export interface FuncCfg {
  readonly entry: number;
  /** Blocks in reverse postorder; blocks[0] is the entry. */
  readonly blocks: Block[];
  /** Block id (index in `blocks`) by start slot. */
  readonly blockAt: Map<number, number>;
}

export function isLdAbs(op: number): boolean {
  return op === 0x20 || op === 0x28 || op === 0x30 || op === 0x40 || op === 0x48 || op === 0x50;
}

/** True for conditional jumps (JMP/JMP32 classes other than ja, call, exit). */
export function isCondJump(op: number): boolean {
  const cls = op & 7;
  if (cls !== 5 && cls !== 6) return false;
  const j = op & 0xf0;
  return j !== 0x00 && j !== 0x80 && j !== 0x90;
}

/** Function entries: 0, every local call target, and every (TAG_FUNC, insn) lddw immediate. */
export function functionEntries(p: Prepared): number[] {
  const n = p.insns.length;
  const code = p.code;
  const out = new Set<number>([0]);
  for (let pc = 0; pc < n; pc++) {
    if (p.second[pc]) continue;
    const w = code[2 * pc];
    const op = w & 0xff;
    if (op === OP_CALL_LOCAL) out.add(pc + code[2 * pc + 1] + 1);
    else if (op === OP_LDDW && code[2 * pc + 3] === TAG_FUNC) {
      const t = code[2 * pc + 1];
      if (t >= 0 && t < n && !p.second[t]) out.add(t);
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** Successor slots of the instruction at pc (pc may be n, the fell-off-the-end sentinel). */
function succsOf(p: Prepared, pc: number): { next: number[]; term: boolean } {
  const code = p.code;
  const w = code[2 * pc];
  const op = w & 0xff;
  if (op === OP_FAULT || op === OP_FELL_OFF || op === OP_EXIT) return { next: [], term: true };
  if (op === OP_JA) return { next: [pc + (w >> 16) + 1], term: true };
  if (op === OP_GOTOL) return { next: [pc + code[2 * pc + 1] + 1], term: true };
  if (isCondJump(op)) return { next: [pc + 1, pc + (w >> 16) + 1], term: true };
  if (op === OP_CALL || op === OP_CALL_LOCAL || op === OP_CALLX || isLdAbs(op)) return { next: [pc + 1], term: true };
  if (op === OP_LDDW) return { next: [pc + 2], term: false };
  return { next: [pc + 1], term: false };
}

/** Basic blocks reachable from `entry`, in reverse postorder. */
export function buildCfg(p: Prepared, entry: number): FuncCfg {
  const leaders = new Set<number>([entry]);
  const seen = new Set<number>();
  const stack = [entry];
  while (stack.length > 0) {
    const pc = stack.pop() as number;
    if (seen.has(pc)) continue;
    seen.add(pc);
    const { next, term } = succsOf(p, pc);
    for (const t of next) {
      if (term) leaders.add(t);
      if (!seen.has(t)) stack.push(t);
    }
  }
  // blocks in slot order first
  const raw: Block[] = [];
  const byStart = new Map<number, Block>();
  for (const start of [...leaders].sort((a, b) => a - b)) {
    const b: Block = { id: -1, start, end: start, last: start, count: 0, succs: [], preds: [] };
    let pc = start;
    for (;;) {
      const { next, term } = succsOf(p, pc);
      b.count++;
      b.last = pc;
      const following = next.length > 0 && !term ? next[0] : -1;
      if (term || following < 0 || leaders.has(following)) {
        b.end = p.code[2 * pc] === OP_LDDW ? pc + 2 : pc + 1;
        (b as { succs: number[] }).succs = next; // slots for now
        break;
      }
      pc = following;
    }
    raw.push(b);
    byStart.set(start, b);
  }
  // reverse postorder from the entry
  const order: Block[] = [];
  const visited = new Set<Block>();
  const dfs = (root: Block): void => {
    const work: [Block, number][] = [[root, 0]];
    visited.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const [b, i] = top;
      if (i < b.succs.length) {
        top[1]++;
        const s = byStart.get(b.succs[i]) as Block;
        if (!visited.has(s)) {
          visited.add(s);
          work.push([s, 0]);
        }
      } else {
        order.push(b);
        work.pop();
      }
    }
  };
  dfs(byStart.get(entry) as Block);
  order.reverse();
  const blockAt = new Map<number, number>();
  const blocks = order.map((b, i) => {
    const nb: Block = { ...b, id: i };
    blockAt.set(b.start, i);
    return nb;
  });
  for (const b of blocks) b.succs = b.succs.map((s) => blockAt.get(s) as number);
  for (const b of blocks) for (const s of b.succs) blocks[s].preds.push(b.id);
  return { entry, blocks, blockAt };
}

/** The instruction slots of a block, in order (skipping the second halves of lddw). */
export function slotsOf(p: Prepared, b: Block): number[] {
  const list: number[] = [];
  for (let pc = b.start; pc < b.end; pc += (p.code[2 * pc] & 0xff) === OP_LDDW ? 2 : 1) list.push(pc);
  return list;
}
