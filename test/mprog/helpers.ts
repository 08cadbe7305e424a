// helpers.ts: plain objects for mprog tests: programs p1..pN (ids = N), links, and a lookup
// where fds equal ids (so tests read like the kernel's attr values).
import { SimError } from '../../src/errors.js';
import { MprogBundle } from '../../src/mprog/bundle.js';
import type { MprogLookup } from '../../src/mprog/relative.js';

export interface P {
  readonly id: number;
  readonly type: string;
}
export interface L {
  readonly id: number;
  prog: P;
}

export function world(n = 8) {
  const progs: P[] = [];
  for (let i = 1; i <= n; i++) progs.push({ id: i, type: 'sched_cls' });
  const links: L[] = [];
  const lookup: MprogLookup<P, L> = {
    progById: (id) => progs.find((p) => p.id === id) ?? fail('ENOENT'),
    progByFd: (fd) => progs.find((p) => p.id === fd) ?? fail('EBADF'),
    linkById: (id) => links.find((l) => l.id === id) ?? fail('ENOENT'),
    linkByFd: (fd) => links.find((l) => l.id === fd) ?? fail('EBADF'),
  };
  const bundle = new MprogBundle<P, L>();
  const names = () => bundle.items.map((t) => (t.link ? `L${t.link.id}:` : '') + `p${t.prog.id}`);
  return { progs, links, lookup, bundle, names };
}

function fail(code: 'ENOENT' | 'EBADF'): never {
  throw new SimError(code, 'not found');
}
