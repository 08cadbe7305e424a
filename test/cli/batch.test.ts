import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './cli-helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcxsim-batch-'));
function opFile(name: string, doc: unknown): string {
  const p = join(tmp, name);
  writeFileSync(p, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return p;
}

afterEach(() => vi.restoreAllMocks());

describe('tcxsim batch', () => {
  it('prints a tcx-oracle-trace/1 trace', async () => {
    const f = opFile('ok.json', {
      progs: { p1: { ret: 'next' }, d: { ret: 'drop' } },
      ops: [
        { op: 'attach', hook: 'ingress', prog: 'p1' },
        { op: 'link', name: 'l1', hook: 'ingress', prog: 'd', flags: ['before'] },
        { op: 'attach', hook: 'ingress', prog: 'p1' },
        { op: 'send', hook: 'ingress' },
        { op: 'query', hook: 'ingress', count: 1 },
      ],
    });
    const r = await runCli(['batch', f]);
    expect(r.code).toBe(0);
    const t = JSON.parse(r.out);
    expect(t.format).toBe('tcx-oracle-trace/1');
    expect(t.steps.map((s: { result: unknown }) => s.result)).toEqual([0, 0, 'EEXIST', 0, 'ENOSPC']);
    expect(t.steps[3].send).toEqual({ ran: ['d'], delivered: false });
    expect(t.steps[4].query).toMatchObject({ count: 2, revision: 3, progs: ['d'], links: ['l1'] });
    expect(t.steps[4].state.ingress.chain).toEqual([{ prog: 'd', link: 'l1' }, { prog: 'p1', link: null }]);
  });

  it.each([
    ['unknown op', [{ op: 'attach', hook: 'ingress', prog: 'p1' }, { op: 'explode' }], /bad\.json: op 1: unknown op "explode"/],
    ['missing key', [{ op: 'attach', prog: 'p1' }], /bad\.json: op 0 \(attach\): missing keys hook/],
    ['unknown key', [{ op: 'send', hook: 'ingress', prog: 'p1' }], /op 0 \(send\): unknown keys prog/],
    ['bad flag', [{ op: 'attach', hook: 'ingress', prog: 'p1', flags: ['first'] }], /op 0 \(attach\): bad flag "first"/],
    ['id flag with relative', [{ op: 'attach', hook: 'ingress', prog: 'p1', flags: ['id'], relative: { prog: 'p2' } }], /op 0 \(attach\): "id"\/"link" flag bits/],
    ['reused link name', [{ op: 'link', name: 'l', hook: 'ingress', prog: 'a' }, { op: 'link', name: 'l', hook: 'egress', prog: 'a' }], /op 1 \(link\): link name "l" reused/],
    ['symbolic revision on raw hook', [{ op: 'attach', hook: 45, prog: 'p1', expected_revision: 'current' }], /op 0 \(attach\): symbolic expected_revision/],
    ['link_close of an unknown link', [{ op: 'link_close', link: 'nope' }], /op 0 \(link_close\): needs a link name/],
  ])('exits 2 on a malformed file: %s', async (_name, ops, msg) => {
    const r = await runCli(['batch', opFile('bad.json', ops)]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/EFORMAT/);
    expect(r.err).toMatch(msg);
    expect(r.out).toBe('');
  });

  it('exits 2 on text that is not JSON', async () => {
    const r = await runCli(['batch', opFile('notjson.json', '[{"op": ')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/notjson\.json: not JSON/);
  });
});
