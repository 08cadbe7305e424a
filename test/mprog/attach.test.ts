import { describe, expect, it } from 'vitest';
import { mprogAttach, type MprogAttachRequest } from '../../src/mprog/attach.js';
import { BPF_F_AFTER, BPF_F_BEFORE, BPF_F_ID, BPF_F_LINK, BPF_F_REPLACE, MPROG_MAX_PROGS } from '../../src/mprog/flags.js';
import { type L, type P, world } from './helpers.js';

type W = ReturnType<typeof world>;
function attach(w: W, prog: P, o: Partial<MprogAttachRequest<P, L>> = {}): string {
  try {
    mprogAttach(w.bundle, { prog, link: null, oldProg: null, flags: 0, idOrFd: 0, revision: 0n, where: 'test', ...o }, w.lookup);
    w.bundle.commit();
    return 'ok';
  } catch (e) {
    return (e as { code: string }).code;
  }
}

describe('mprogAttach', () => {
  it('places by BEFORE/AFTER relative to a program, with or without a relative', () => {
    const w = world();
    const [p1, p2, p3, p4, p5] = w.progs as [P, P, P, P, P];
    expect(attach(w, p1)).toBe('ok');
    expect(attach(w, p2)).toBe('ok');
    expect(attach(w, p3, { flags: BPF_F_BEFORE })).toBe('ok');
    expect(attach(w, p4, { flags: BPF_F_BEFORE, idOrFd: 2 })).toBe('ok');
    expect(attach(w, p5, { flags: BPF_F_AFTER | BPF_F_ID, idOrFd: 3 })).toBe('ok');
    expect(w.names()).toEqual(['p3', 'p5', 'p1', 'p4', 'p2']);
    expect(w.bundle.revision).toBe(6);
  });

  it('checks in the kernel order: ESTALE, EEXIST, relative, REPLACE, full, BEFORE/AFTER, EINVAL', () => {
    const w = world();
    const [p1, p2, p3] = w.progs as [P, P, P];
    attach(w, p1);
    expect(attach(w, p1, { revision: 5n })).toBe('ESTALE');
    expect(attach(w, p1, { flags: BPF_F_BEFORE, idOrFd: 99 })).toBe('EEXIST');
    expect(attach(w, p2, { flags: BPF_F_BEFORE, idOrFd: 99 })).toBe('EBADF');
    expect(attach(w, p2, { flags: BPF_F_REPLACE, oldProg: p3 })).toBe('ENOENT');
    expect(attach(w, p2, { flags: BPF_F_BEFORE | BPF_F_AFTER })).toBe('ERANGE');
    expect(attach(w, p2, { flags: BPF_F_BEFORE, idOrFd: 3 })).toBe('ENOENT');
    expect(attach(w, p2, { idOrFd: 1 })).toBe('EINVAL');
    expect(attach(w, p2, { flags: BPF_F_ID, idOrFd: 1 })).toBe('EINVAL');
    expect(attach(w, p2, { flags: BPF_F_LINK })).toBe('EINVAL');
    expect(w.bundle.revision).toBe(2);
  });

  it('replaces in place, and REPLACE+BEFORE only works when adjacent', () => {
    const w = world();
    const [p1, p2, p3, p4] = w.progs as [P, P, P, P];
    attach(w, p1);
    attach(w, p2);
    expect(attach(w, p3, { flags: BPF_F_REPLACE | BPF_F_AFTER, oldProg: p1, idOrFd: 2 })).toBe('ERANGE');
    expect(attach(w, p3, { flags: BPF_F_REPLACE | BPF_F_BEFORE, oldProg: p1, idOrFd: 2 })).toBe('ok');
    expect(attach(w, p4, { flags: BPF_F_REPLACE, oldProg: p2 })).toBe('ok');
    expect(w.names()).toEqual(['p3', 'p4']);
  });

  it('refuses a link-owned slot for an opts replace (EBUSY) and matches links by prog or link', () => {
    const w = world();
    const [p1, p2, p3, p4] = w.progs as [P, P, P, P];
    const l = { id: 7, prog: p1 };
    w.links.push(l);
    expect(attach(w, p1, { link: l })).toBe('ok');
    expect(attach(w, p2, { flags: BPF_F_REPLACE, oldProg: p1 })).toBe('EBUSY');
    expect(attach(w, p2, { flags: BPF_F_BEFORE, idOrFd: 1 })).toBe('ok');
    expect(attach(w, p3, { flags: BPF_F_AFTER | BPF_F_LINK | BPF_F_ID, idOrFd: 7 })).toBe('ok');
    expect(attach(w, p4, { flags: BPF_F_REPLACE, link: l, oldProg: null })).toBe('ENOENT');
    expect(w.names()).toEqual(['p2', 'L7:p1', 'p3']);
  });

  it('holds at most 63 programs (ERANGE), in every placement', () => {
    const w = world(MPROG_MAX_PROGS + 1);
    for (let i = 0; i < MPROG_MAX_PROGS; i++) expect(attach(w, w.progs[i]!)).toBe('ok');
    const extra = w.progs[MPROG_MAX_PROGS]!;
    for (const flags of [0, BPF_F_BEFORE, BPF_F_AFTER]) expect(attach(w, extra, { flags })).toBe('ERANGE');
    expect(attach(w, extra, { flags: BPF_F_AFTER, idOrFd: MPROG_MAX_PROGS })).toBe('ERANGE');
  });
});
