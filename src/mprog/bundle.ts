// bundle.ts: one hook's ordered program array and its revision (struct bpf_mprog_bundle).
// `items` is replaced, never mutated, on every change (the kernel's a/b peer arrays), so a
// reader holding the old array keeps a consistent view. Revision starts at 1, +1 per commit.

/** One slot: the program, and the link that owns it (null for BPF_PROG_ATTACH "opts" programs). */
export interface MprogTuple<P, L> {
  readonly prog: P;
  readonly link: L | null;
}

export class MprogBundle<P, L> {
  /** Run order: index 0 runs first. */
  items: readonly MprogTuple<P, L>[] = [];
  /** bpf_mprog_bundle_init sets 1; bpf_mprog_commit adds 1. */
  revision = 1;

  get count(): number {
    return this.items.length;
  }

  /** bpf_mprog_exists: a program appears at most once per hook, whoever owns the slot. */
  exists(prog: P): boolean {
    for (const t of this.items) if (t.prog === prog) return true;
    return false;
  }

  /** bpf_mprog_commit: called by the owner (tcx) after every successful change. */
  commit(): void {
    this.revision++;
  }

  /** bpf_mprog_clear_all: drop every slot without a revision commit (device unregister). */
  clearAll(): readonly MprogTuple<P, L>[] {
    const old = this.items;
    this.items = [];
    return old;
  }
}
