// attach.ts: bpf_mprog_attach: insert a program (opts or link-owned) at a position, or replace
// one in place. Checks run in the kernel's order and the first failure wins (spec §1.4, Q10):
//   ESTALE > EEXIST > relative lookup > REPLACE exact match > full (ERANGE) > BEFORE > AFTER > EINVAL
// The caller commits (revision +1) on success.
import { SimError } from '../errors.js';
import type { MprogBundle, MprogTuple } from './bundle.js';
import { BPF_F_AFTER, BPF_F_BEFORE, BPF_F_REPLACE, MPROG_MAX_PROGS } from './flags.js';
import { posAfter, posBefore, posExact } from './position.js';
import { tupleRelative, type MprogLink, type MprogLookup, type MprogProg, type RelativeTuple } from './relative.js';

export interface MprogAttachRequest<P, L> {
  readonly prog: P;
  /** The owning link, or null for BPF_PROG_ATTACH. */
  readonly link: L | null;
  /** With BPF_F_REPLACE: the program whose slot is overwritten (null for link create: always ENOENT). */
  readonly oldProg: P | null;
  readonly flags: number;
  /** relative_fd / relative_id, read according to BPF_F_ID and BPF_F_LINK. */
  readonly idOrFd: number;
  /** expected_revision (u64); 0n = no check. */
  readonly revision: bigint;
  /** Context for error messages, e.g. "tcx attach tcxo0/ingress". */
  readonly where: string;
}

/** Resolved placement: BEFORE/AFTER/REPLACE rules folded into one index (idx -1 = before the first). */
export function resolvePosition<P, L>(
  items: readonly MprogTuple<P, L>[],
  flags: number,
  rel: RelativeTuple<P, L>,
  idx: number | undefined,
  where: string,
): number | undefined {
  if (flags & BPF_F_BEFORE) {
    const t = posBefore(items, rel, where);
    if (idx !== undefined && t !== idx) {
      throw new SimError('ERANGE', `${where}: BEFORE gives index ${t}, conflicting with index ${idx}`);
    }
    idx = t;
  }
  if (flags & BPF_F_AFTER) {
    const t = posAfter(items, rel, where);
    if (idx !== undefined && t !== idx) {
      throw new SimError('ERANGE', `${where}: AFTER gives index ${t}, conflicting with index ${idx}`);
    }
    idx = t;
  }
  return idx;
}

export function checkRevision<P, L>(bundle: MprogBundle<P, L> | null, revision: bigint, where: string): void {
  const have = bundle ? bundle.revision : 1;
  if (revision !== 0n && revision !== BigInt(have)) {
    throw new SimError('ESTALE', `${where}: expected revision ${revision}, have ${have}`);
  }
}

/** Returns the tuple that was overwritten by a REPLACE (its program reference is the caller's to drop). */
export function mprogAttach<P extends MprogProg, L extends MprogLink<P>>(
  bundle: MprogBundle<P, L>,
  req: MprogAttachRequest<P, L>,
  lookup: MprogLookup<P, L>,
): MprogTuple<P, L> | null {
  const { where } = req;
  const items = bundle.items;
  checkRevision(bundle, req.revision, where);
  if (bundle.exists(req.prog)) throw new SimError('EEXIST', `${where}: program is already attached to this hook`);
  const rel = tupleRelative(lookup, req.idOrFd, req.flags & ~BPF_F_REPLACE, req.prog.type, where);

  let idx: number | undefined;
  if (req.flags & BPF_F_REPLACE) {
    idx = posExact(items, req.oldProg, req.link, where);
  } else if (items.length === MPROG_MAX_PROGS) {
    throw new SimError('ERANGE', `${where}: hook already holds ${MPROG_MAX_PROGS} programs`);
  }
  idx = resolvePosition(items, req.flags, rel, idx, where);
  let flags = req.flags;
  if (idx === undefined) {
    if (rel.prog !== null || flags !== 0) {
      throw new SimError('EINVAL', `${where}: relative object or flags 0x${flags.toString(16)} without BEFORE/AFTER/REPLACE`);
    }
    idx = items.length;
    flags = BPF_F_AFTER;
  }
  if (idx >= MPROG_MAX_PROGS) throw new SimError('ERANGE', `${where}: index ${idx} beyond ${MPROG_MAX_PROGS} programs`);

  const tuple: MprogTuple<P, L> = { prog: req.prog, link: req.link };
  const next = items.slice();
  if (flags & BPF_F_REPLACE) {
    // bpf_mprog_replace: same slot, same array (WRITE_ONCE), no shift.
    const old = next[idx]!;
    next[idx] = tuple;
    bundle.items = next;
    return old;
  }
  // bpf_mprog_insert: idx == total appends; BEFORE inserts after idx (idx is "one before").
  const at = idx === items.length ? idx : flags & BPF_F_BEFORE ? idx + 1 : idx;
  next.splice(at, 0, tuple);
  bundle.items = next;
  return null;
}
