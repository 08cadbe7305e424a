// structure.ts: the shape facts structured code generation needs (Ramsey, "Beyond Relooper",
// ICFP 2022): immediate dominators over the reverse postorder, loop headers (targets of back
// edges), merge nodes (two or more forward in-edges), and whether the graph is reducible (every
// back edge goes to a block that dominates its source). Irreducible functions get a switch loop.
import type { FuncCfg } from './cfg.js';

export interface Shape {
  readonly idom: Int32Array;
  /** Dominator-tree children of each block, in reverse postorder. */
  readonly children: number[][];
  readonly loopHeader: Uint8Array;
  readonly merge: Uint8Array;
  readonly reducible: boolean;
}

export function analyse(cfg: FuncCfg): Shape {
  const blocks = cfg.blocks;
  const n = blocks.length;
  const idom = new Int32Array(n).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (a > b) a = idom[a];
      while (b > a) b = idom[b];
    }
    return a;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (let b = 1; b < n; b++) {
      let d = -1;
      for (const p of blocks[b].preds) {
        if (idom[p] === -1) continue;
        d = d === -1 ? p : intersect(p, d);
      }
      if (d !== idom[b]) {
        idom[b] = d;
        changed = true;
      }
    }
  }
  const dominates = (a: number, b: number): boolean => {
    while (b !== a && b !== 0) b = idom[b];
    return b === a;
  };
  const loopHeader = new Uint8Array(n);
  const merge = new Uint8Array(n);
  let reducible = true;
  for (const b of blocks) {
    let forward = 0;
    for (const p of b.preds) {
      if (p >= b.id) {
        loopHeader[b.id] = 1;
        if (!dominates(b.id, p)) reducible = false;
      } else forward++;
    }
    if (forward >= 2) merge[b.id] = 1;
  }
  const children: number[][] = blocks.map(() => []);
  for (let b = 1; b < n; b++) children[idom[b]].push(b);
  return { idom, children, loopHeader, merge, reducible };
}
