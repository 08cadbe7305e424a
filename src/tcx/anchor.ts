// anchor.ts: positions as values (cilium/ebpf link/anchor.go): head(), tail(), before(x),
// after(x), replace(p). `encodeAnchor` is the one place that turns them into BPF_F_* bits and
// the relative fd/id the syscalls take.
import { BPF_F_AFTER, BPF_F_BEFORE, BPF_F_ID, BPF_F_LINK, BPF_F_REPLACE } from '../mprog/flags.js';

/** Something an anchor can point at: a loaded program or a tcx link, by fd (default) or by id. */
export interface AnchorTarget {
  readonly kind: 'prog' | 'link';
  readonly fd: number;
  readonly id: number;
}

export type Anchor =
  | { readonly kind: 'head' }
  | { readonly kind: 'tail' }
  | { readonly kind: 'before' | 'after'; readonly target: AnchorTarget; readonly byId: boolean }
  | { readonly kind: 'replace'; readonly target: AnchorTarget };

export const head = (): Anchor => ({ kind: 'head' });
export const tail = (): Anchor => ({ kind: 'tail' });
export const before = (target: AnchorTarget, opts: { byId?: boolean } = {}): Anchor => ({ kind: 'before', target, byId: opts.byId ?? false });
export const after = (target: AnchorTarget, opts: { byId?: boolean } = {}): Anchor => ({ kind: 'after', target, byId: opts.byId ?? false });
/** Replace a program attached with BPF_PROG_ATTACH (for links use link.update()). */
export const replace = (prog: AnchorTarget): Anchor => ({ kind: 'replace', target: prog });

export interface EncodedAnchor {
  readonly flags: number;
  /** relative_fd / relative_id */
  readonly relative: number;
  /** replace_bpf_fd (BPF_PROG_ATTACH only; link create reads a replace anchor as a relative). */
  readonly replaceFd: number;
}

/** No anchor = the kernel default (append on attach, remove the last on detach). */
export function encodeAnchor(anchor: Anchor | undefined): EncodedAnchor {
  if (!anchor) return { flags: 0, relative: 0, replaceFd: 0 };
  switch (anchor.kind) {
    case 'head':
      return { flags: BPF_F_BEFORE, relative: 0, replaceFd: 0 };
    case 'tail':
      return { flags: BPF_F_AFTER, relative: 0, replaceFd: 0 };
    case 'replace':
      return { flags: BPF_F_REPLACE, relative: anchor.target.fd, replaceFd: anchor.target.fd };
    case 'before':
    case 'after': {
      const t = anchor.target;
      const flags = (anchor.kind === 'before' ? BPF_F_BEFORE : BPF_F_AFTER) | (t.kind === 'link' ? BPF_F_LINK : 0) | (anchor.byId ? BPF_F_ID : 0);
      return { flags, relative: anchor.byId ? t.id : t.fd, replaceFd: 0 };
    }
  }
}
