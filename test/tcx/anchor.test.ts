import { describe, expect, it } from 'vitest';
import { BPF_F_AFTER, BPF_F_BEFORE, BPF_F_ID, BPF_F_LINK, BPF_F_REPLACE } from '../../src/mprog/flags.js';
import { after, before, encodeAnchor, head, replace, tail } from '../../src/tcx/anchor.js';

const prog = { kind: 'prog', fd: 5, id: 42 } as const;
const link = { kind: 'link', fd: 6, id: 7 } as const;

describe('encodeAnchor (cilium/ebpf anchor.go table)', () => {
  it.each([
    ['none', undefined, 0, 0],
    ['head', head(), BPF_F_BEFORE, 0],
    ['tail', tail(), BPF_F_AFTER, 0],
    ['before prog', before(prog), BPF_F_BEFORE, 5],
    ['after prog by id', after(prog, { byId: true }), BPF_F_AFTER | BPF_F_ID, 42],
    ['before link', before(link), BPF_F_BEFORE | BPF_F_LINK, 6],
    ['after link by id', after(link, { byId: true }), BPF_F_AFTER | BPF_F_LINK | BPF_F_ID, 7],
    ['replace', replace(prog), BPF_F_REPLACE, 5],
  ])('%s', (_n, anchor, flags, relative) => {
    expect(encodeAnchor(anchor)).toMatchObject({ flags, relative });
  });
});
