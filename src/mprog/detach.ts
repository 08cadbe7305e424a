// detach.ts: bpf_mprog_detach: remove a program by itself or by position (spec §1.5).
// Quirks kept on purpose: BEFORE X with X first, or AFTER X with X last, removes X itself (Q4);
// "remove the last" on a full hook is ERANGE (Q5); a link-owned victim is EBUSY for opts (Q6).
// The caller commits (revision +1) on success.
import { SimError } from '../errors.js';
import type { MprogBundle, MprogTuple } from './bundle.js';
import { checkRevision, resolvePosition } from './attach.js';
import { BPF_F_REPLACE, MPROG_MAX_PROGS } from './flags.js';
import { posExact } from './position.js';
import { tupleRelative, type MprogLink, type MprogLookup, type MprogProg } from './relative.js';

export interface MprogDetachRequest<P, L> {
  /** The program to remove, or null to pick the victim by position. */
  readonly prog: P | null;
  /** The owning link (tcx link release), or null for BPF_PROG_DETACH. */
  readonly link: L | null;
  readonly flags: number;
  readonly idOrFd: number;
  readonly revision: bigint;
  readonly where: string;
}

/** Returns the removed tuple (its program reference is the caller's to drop). */
export function mprogDetach<P extends MprogProg, L extends MprogLink<P>>(
  bundle: MprogBundle<P, L>,
  req: MprogDetachRequest<P, L>,
  lookup: MprogLookup<P, L>,
): MprogTuple<P, L> {
  const { where } = req;
  const items = bundle.items;
  if (req.flags & BPF_F_REPLACE) throw new SimError('EINVAL', `${where}: BPF_F_REPLACE is not allowed for detach`);
  checkRevision(bundle, req.revision, where);
  if (items.length === 0) throw new SimError('ENOENT', `${where}: no programs attached`);
  const rel = tupleRelative(lookup, req.idOrFd, req.flags, req.prog?.type, where);

  let idx: number | undefined;
  if (req.prog !== null) idx = posExact(items, req.prog, req.link, where);
  idx = resolvePosition(items, req.flags, rel, idx, where);
  if (idx === undefined) {
    if (rel.prog !== null || req.flags !== 0) {
      throw new SimError('EINVAL', `${where}: relative object or flags 0x${req.flags.toString(16)} without BEFORE/AFTER`);
    }
    idx = items.length;
  }
  if (idx >= MPROG_MAX_PROGS) throw new SimError('ERANGE', `${where}: index ${idx} beyond ${MPROG_MAX_PROGS} programs`);

  // bpf_mprog_fetch: -1 means the first slot, total means the last.
  const at = idx === -1 ? 0 : idx === items.length ? items.length - 1 : idx;
  const victim = items[at]!;
  if (victim.link !== req.link) {
    throw new SimError('EBUSY', `${where}: program at index ${at} is owned by a link; detach the link instead`);
  }
  const next = items.slice();
  next.splice(at, 1);
  bundle.items = next;
  return victim;
}
