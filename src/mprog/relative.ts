// relative.ts: resolves the relative object of an attach/detach (bpf_mprog_tuple_relative).
// mprog knows no fds or ids; the owner injects the lookups (bpf_prog_by_id, bpf_link_get_from_fd...)
// and they throw SimError with the kernel's errno (ENOENT, EBADF, EINVAL).
import { SimError } from '../errors.js';
import { BPF_F_ID, BPF_F_LINK } from './flags.js';

export interface MprogProg {
  readonly type: string;
}
export interface MprogLink<P> {
  readonly prog: P;
}

/** Object lookups the owner provides; each throws SimError on failure with the kernel's errno. */
export interface MprogLookup<P, L> {
  /** bpf_prog_by_id: id 0 or unknown -> ENOENT. */
  progById(id: number): P;
  /** bpf_prog_get: bad fd -> EBADF, not a program -> EINVAL. */
  progByFd(fd: number): P;
  /** bpf_link_by_id: id 0 or unknown -> ENOENT. */
  linkById(id: number): L;
  /** bpf_link_get_from_fd: bad fd -> EBADF, not a link -> EINVAL. */
  linkByFd(fd: number): L;
}

/** The relative tuple; both null means "no relative object". */
export interface RelativeTuple<P, L> {
  readonly prog: P | null;
  readonly link: L | null;
}

/**
 * `flags` has BPF_F_REPLACE already masked out by the caller (attach does, detach rejects it).
 * `type` is the program type the relative must have, or undefined for no check (detach without prog).
 */
export function tupleRelative<P extends MprogProg, L extends MprogLink<P>>(
  lookup: MprogLookup<P, L>,
  idOrFd: number,
  flags: number,
  type: string | undefined,
  where: string,
): RelativeTuple<P, L> {
  const byId = (flags & BPF_F_ID) !== 0;
  if (flags & BPF_F_LINK) {
    let link: L;
    if (byId) link = lookup.linkById(idOrFd);
    else if (idOrFd !== 0) link = lookup.linkByFd(idOrFd);
    else throw new SimError('EINVAL', `${where}: BPF_F_LINK without a relative link fd or id`);
    return { prog: link.prog, link };
  }
  if (!byId && idOrFd === 0) return { prog: null, link: null };
  const prog = byId ? lookup.progById(idOrFd) : lookup.progByFd(idOrFd);
  if (type !== undefined && prog.type !== type) {
    throw new SimError('EINVAL', `${where}: relative program is ${prog.type}, not ${type}`);
  }
  return { prog, link: null };
}
