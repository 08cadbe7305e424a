import { describe, expect, it } from 'vitest';
import { mprogAttach } from '../../src/mprog/attach.js';
import { mprogDetach, type MprogDetachRequest } from '../../src/mprog/detach.js';
import { BPF_F_AFTER, BPF_F_BEFORE, BPF_F_REPLACE, MPROG_MAX_PROGS } from '../../src/mprog/flags.js';
import { type L, type P, world } from './helpers.js';

type W = ReturnType<typeof world>;
function setup(n: number, linkAt?: number): W {
  const w = world(Math.max(n, 8));
  for (let i = 0; i < n; i++) {
    const prog = w.progs[i]!;
    const link = i === linkAt ? { id: 50, prog } : null;
    if (link) w.links.push(link);
    mprogAttach(w.bundle, { prog, link, oldProg: null, flags: 0, idOrFd: 0, revision: 0n, where: 't' }, w.lookup);
    w.bundle.commit();
  }
  return w;
}
function detach(w: W, o: Partial<MprogDetachRequest<P, L>> = {}): string {
  try {
    mprogDetach(w.bundle, { prog: null, link: null, flags: 0, idOrFd: 0, revision: 0n, where: 't', ...o }, w.lookup);
    return 'ok';
  } catch (e) {
    return (e as { code: string }).code;
  }
}

describe('mprogDetach', () => {
  it('removes the last without flags, the first with BEFORE', () => {
    const w = setup(4);
    expect(detach(w)).toBe('ok');
    expect(detach(w, { flags: BPF_F_BEFORE })).toBe('ok');
    expect(w.names()).toEqual(['p2', 'p3']);
  });

  it('Q4: BEFORE X with X first, or AFTER X with X last, removes X itself', () => {
    const w = setup(3);
    expect(detach(w, { flags: BPF_F_BEFORE, idOrFd: 1 })).toBe('ok');
    expect(w.names()).toEqual(['p2', 'p3']);
    expect(detach(w, { flags: BPF_F_AFTER, idOrFd: 3 })).toBe('ok');
    expect(w.names()).toEqual(['p2']);
  });

  it('Q5: removing "the last" of 63 is ERANGE; by program or BEFORE still works', () => {
    const w = world(MPROG_MAX_PROGS);
    for (const prog of w.progs) {
      mprogAttach(w.bundle, { prog, link: null, oldProg: null, flags: 0, idOrFd: 0, revision: 0n, where: 't' }, w.lookup);
    }
    expect(detach(w)).toBe('ERANGE');
    expect(detach(w, { flags: BPF_F_AFTER })).toBe('ERANGE');
    expect(detach(w, { flags: BPF_F_AFTER, idOrFd: MPROG_MAX_PROGS })).toBe('ERANGE');
    expect(detach(w, { flags: BPF_F_BEFORE })).toBe('ok');
    expect(detach(w, { prog: w.progs[5]! })).toBe('ok');
    expect(w.bundle.count).toBe(MPROG_MAX_PROGS - 2);
  });

  it('Q6/Q7: link-owned victims are EBUSY; a relative without BEFORE/AFTER is resolved then ignored', () => {
    const w = setup(3, 2);
    expect(detach(w)).toBe('EBUSY');
    expect(detach(w, { prog: w.progs[2]! })).toBe('EBUSY');
    expect(detach(w, { prog: w.progs[0]!, idOrFd: 99 })).toBe('EBADF');
    expect(detach(w, { prog: w.progs[0]!, idOrFd: 2 })).toBe('ok');
    expect(w.names()).toEqual(['p2', 'L50:p3']);
  });

  it('rejects REPLACE first, then ESTALE, then an empty array', () => {
    const w = world();
    expect(detach(w, { flags: BPF_F_REPLACE, revision: 9n })).toBe('EINVAL');
    expect(detach(w, { revision: 9n })).toBe('ESTALE');
    expect(detach(w)).toBe('ENOENT');
  });

  it('prog + BEFORE/AFTER X removes the prog only when adjacent', () => {
    const w = setup(4);
    expect(detach(w, { prog: w.progs[1]!, flags: BPF_F_BEFORE, idOrFd: 4 })).toBe('ERANGE');
    expect(detach(w, { prog: w.progs[1]!, flags: BPF_F_BEFORE })).toBe('ERANGE');
    expect(detach(w, { prog: w.progs[1]!, flags: BPF_F_AFTER, idOrFd: 1 })).toBe('ok');
    expect(w.names()).toEqual(['p1', 'p3', 'p4']);
  });
});
