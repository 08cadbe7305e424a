// position.ts: the index helpers of kernel/bpf/mprog.c (bpf_mprog_pos_exact/before/after).
// All indices refer to the current array. A relative program matches its slot whoever owns
// it; a relative link must match both program and link.
import { SimError } from '../errors.js';
import type { MprogTuple } from './bundle.js';
import type { RelativeTuple } from './relative.js';

function matches<P, L>(t: MprogTuple<P, L>, rel: RelativeTuple<P, L>): boolean {
  return t.prog === rel.prog && (rel.link === null || t.link === rel.link);
}

/** Index of `prog`; ENOENT if absent (or prog null), EBUSY if its slot is owned by another link. */
export function posExact<P, L>(items: readonly MprogTuple<P, L>[], prog: P | null, link: L | null, where: string): number {
  for (let i = 0; i < items.length; i++) {
    const t = items[i]!;
    if (prog !== null && t.prog === prog) {
      if (t.link === link) return i;
      throw new SimError('EBUSY', `${where}: program at index ${i} is ${t.link === null ? 'not owned by this link' : 'owned by a link'}`);
    }
  }
  throw new SimError('ENOENT', `${where}: program to ${link === null ? 'replace/detach' : 'update'} is not attached`);
}

/** i-1 for the relative at i; -1 without a relative; ENOENT if the relative is not attached. */
export function posBefore<P, L>(items: readonly MprogTuple<P, L>[], rel: RelativeTuple<P, L>, where: string): number {
  if (rel.prog === null) return -1;
  for (let i = 0; i < items.length; i++) if (matches(items[i]!, rel)) return i - 1;
  throw new SimError('ENOENT', `${where}: relative object is not attached here`);
}

/** i+1 for the relative at i; count without a relative; ENOENT if the relative is not attached. */
export function posAfter<P, L>(items: readonly MprogTuple<P, L>[], rel: RelativeTuple<P, L>, where: string): number {
  if (rel.prog === null) return items.length;
  for (let i = 0; i < items.length; i++) if (matches(items[i]!, rel)) return i + 1;
  throw new SimError('ENOENT', `${where}: relative object is not attached here`);
}
