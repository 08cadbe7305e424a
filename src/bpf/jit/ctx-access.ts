// ctx-access.ts: the compiled tier's share of the kernel's load-time context rewrite
// (net/core/filter.c bpf_convert_ctx_access): a 4-byte load or store at a common __sk_buff field
// reads or writes the Skb directly when the region's handler is the standard SkBuffContext.
// Everything else (other handlers, offsets, sizes, sign-extending loads) keeps the handler's path.
//
// The fast path is taken only for accesses SkBuffContext.check() always accepts (a plain 4-byte
// access at the field's own offset), and each expression below is what SkBuffContext.load/store
// computes for that field; so values, rules and faults stay the handler's. Generated code names:
// C = the handler, X = its skb, SKB = the SkBuffContext class (runtime.ts); CR/CC = the entry r1's
// region and handler when a function reads its context through typed registers (types.ts).
import { SKB_OFF } from '../context/sk-buff-layout.js';

const CB_END = SKB_OFF.cb + 20;

/** JS for (lo, hi) of an unsigned 4-byte load at __sk_buff offset `off`, or null (no fast path). */
export function ctxLoadExpr(off: number): { lo: string; hi: string } | null {
  switch (off) {
    case SKB_OFF.len:
      return { lo: '(X.tail - X.data) | 0', hi: '0' };
    case SKB_OFF.mark:
      return { lo: 'X.mark | 0', hi: '0' };
    case SKB_OFF.protocol:
      // skb->protocol is kept in host order; __sk_buff shows the big-endian u16
      return { lo: '(((X.protocol & 0xff) << 8) | ((X.protocol >>> 8) & 0xff))', hi: '0' };
    case SKB_OFF.data:
      return { lo: 'X.data', hi: 'C.memory.packetTag' };
    case SKB_OFF.data_end:
      return { lo: 'X.tail', hi: 'C.memory.packetTag' };
  }
  if (off >= SKB_OFF.cb && off < CB_END && off % 4 === 0) {
    const o = off - SKB_OFF.cb;
    return { lo: `(X.cb[${o}] | (X.cb[${o + 1}] << 8) | (X.cb[${o + 2}] << 16) | (X.cb[${o + 3}] << 24))`, hi: '0' };
  }
  return null;
}

/** JS for a 4-byte store of `vl` at __sk_buff offset `off`, or null (no fast path). */
export function ctxStoreCode(off: number, vl: string): string | null {
  switch (off) {
    case SKB_OFF.mark:
      return `X.mark = ${vl} >>> 0;`;
    case SKB_OFF.priority:
      return `X.priority = ${vl} >>> 0;`;
  }
  if (off >= SKB_OFF.cb && off < CB_END && off % 4 === 0) {
    const o = off - SKB_OFF.cb;
    return `X.cb[${o}] = ${vl}; X.cb[${o + 1}] = ${vl} >>> 8; X.cb[${o + 2}] = ${vl} >>> 16; X.cb[${o + 3}] = ${vl} >>> 24;`;
  }
  return null;
}

/**
 * The guard of a fast path: the effective offset is the field's, and the region is an
 * SkBuffContext's (R.invalid is checked as the handler path, access.ts loadSlow, does).
 */
export function ctxGuard(off: number): string {
  return `o === ${off} && R !== undefined && (C = R.ctx) instanceof SKB && R.invalid === null`;
}

/**
 * Prologue of a function with accesses through its entry r1 + K (types.ts T_CTX): CR is r1's
 * region when r1 is (tag, 0) of a standard __sk_buff context (CC its handler), else null.
 * Needs a module-level `let CRV = null`.
 */
export function ctxEntryCode(): string {
  // CRV (module level, compile.ts) is the last region that passed: a Region's ctx and invalid
  // never change, so it passes again without the instanceof
  return (
    'let CR = null, CC = null; if (l1 === 0) { const R0 = rg[h1]; ' +
    'if (R0 === CRV || (R0 !== undefined && R0.invalid === null && R0.ctx instanceof SKB && (CRV = R0) !== null)) { CR = R0; CC = R0.ctx; } }'
  );
}

/**
 * The guard of a typed context access through a register holding the entry r1 + K (`hi` its
 * high word): the region is still the one checked on entry, so the offset is K + off and the
 * handler the standard one; ctxGuard's conditions without the instanceof.
 */
export function typedCtxGuard(hi: string): string {
  return `CR !== null && rg[${hi}] === CR`;
}
