import { describe, expect, it } from 'vitest';
import { MprogBundle } from '../../src/mprog/bundle.js';
import { mprogQuery } from '../../src/mprog/query.js';

describe('mprogQuery', () => {
  const b = new MprogBundle<string, string>();
  b.items = [
    { prog: 'a', link: null },
    { prog: 'b', link: 'l' },
    { prog: 'c', link: null },
  ];
  b.revision = 7;
  const q = (capacity: number, queryFlags = 0, attachFlags = 0) => mprogQuery(b, { capacity, queryFlags, attachFlags, where: 't' });

  it('reports count and revision, and the slots that fit', () => {
    expect(q(10)).toMatchObject({ count: 3, revision: 7, truncated: false, attachFlags: 0 });
    expect(q(10).items.map((t) => t.prog)).toEqual(['a', 'b', 'c']);
    expect(q(0)).toMatchObject({ count: 3, items: [], truncated: false });
    expect(q(2)).toMatchObject({ count: 3, truncated: true });
    expect(q(2).items.map((t) => t.link)).toEqual([null, 'l']);
  });

  it('reports count 0 and revision 1 without a bundle', () => {
    expect(mprogQuery(null, { capacity: 5, queryFlags: 0, attachFlags: 0, where: 't' })).toMatchObject({ count: 0, revision: 1 });
  });

  it('rejects query_flags (BPF_F_QUERY_EFFECTIVE too) and attach_flags', () => {
    expect(() => q(1, 1)).toThrow(/EINVAL/);
    expect(() => q(1, 0, 1)).toThrow(/EINVAL/);
  });
});
