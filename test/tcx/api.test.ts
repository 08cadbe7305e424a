import { describe, expect, it } from 'vitest';
import { after, before, head, replace, tail } from '../../src/tcx/anchor.js';
import { TcxSim } from '../../src/tcx/api.js';
import { TCX_DROP, TCX_NEXT, TCX_PASS } from '../../src/tcx/uapi.js';

function sim() {
  const s = new TcxSim();
  s.addDevice('lo');
  s.addDevice('veth0');
  const ran: string[] = [];
  const prog = (name: string, ret = TCX_NEXT) => s.load({ type: 'sched_cls', name, run: () => (ran.push(name), ret) });
  return { s, ran, prog };
}
const frame = new Uint8Array(60);
const order = (s: TcxSim, dev = 'veth0') => s.query(dev, 'ingress').programs.map((p) => p.id);

describe('TcxSim (friendly layer)', () => {
  it('places links and programs with anchors and runs them in order', () => {
    const { s, ran, prog } = sim();
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((n) => prog(n)) as [ReturnType<typeof prog>, ReturnType<typeof prog>, ReturnType<typeof prog>, ReturnType<typeof prog>, ReturnType<typeof prog>];
    const la = s.attachTcx({ dev: 'veth0', hook: 'ingress', prog: a });
    s.attachProgram({ dev: 'veth0', hook: 'ingress', prog: b, anchor: head() });
    const lc = s.attachTcx({ dev: 'veth0', hook: 'ingress', prog: c, anchor: after(la) });
    s.attachProgram({ dev: 'veth0', hook: 'ingress', prog: d, anchor: before(lc, { byId: true }) });
    s.attachTcx({ dev: 'veth0', hook: 'ingress', prog: e, anchor: tail(), expectedRevision: 5 });
    expect(order(s)).toEqual([b, a, d, c, e].map((p) => p.id));
    expect(s.query('veth0', 'ingress').programs[1]).toEqual({ id: a.id, linkId: la.id });
    expect(s.run('veth0', 'ingress', frame)).toBe(TCX_NEXT);
    expect(ran).toEqual(['b', 'a', 'd', 'c', 'e']);
  });

  it('throws SimError with the errno: stale revision, link-owned replace, full hook', () => {
    const { s, prog } = sim();
    const a = prog('a');
    const b = prog('b');
    s.attachTcx({ dev: 'veth0', hook: 'egress', prog: a });
    expect(() => s.attachProgram({ dev: 'veth0', hook: 'egress', prog: b, expectedRevision: 1 })).toThrow(/^ESTALE: .*expected revision 1, have 2/);
    expect(() => s.attachProgram({ dev: 'veth0', hook: 'egress', prog: b, anchor: replace(a) })).toThrow(/^EBUSY/);
    expect(() => s.attachTcx({ dev: 'veth0', hook: 'egress', prog: b, anchor: replace(a) })).toThrow(/^ENOENT/);
    expect(() => s.detachProgram({ dev: 'veth0', hook: 'egress' })).toThrow(/^EBUSY/);
    expect(() => s.attachTcx({ dev: 'nope', hook: 'egress', prog: b })).toThrow(/^ENODEV/);
  });

  it('updates a link in place; same program is no revision bump; detach leaves a defunct link', () => {
    const { s, prog, ran } = sim();
    const [a, b, c] = [prog('a'), prog('b', TCX_PASS), prog('c', TCX_DROP)];
    const l = s.attachTcx({ dev: 'veth0', hook: 'ingress', prog: a });
    s.attachProgram({ dev: 'veth0', hook: 'ingress', prog: c });
    l.update(b);
    expect(s.query('veth0', 'ingress').revision).toBe(4);
    l.update(b);
    expect(s.query('veth0', 'ingress').revision).toBe(4);
    expect(() => l.update(a, { old: c })).toThrow(/^EPERM/);
    expect(s.run('veth0', 'ingress', frame)).toBe(TCX_PASS);
    expect(ran).toEqual(['b']);
    l.detach();
    expect(l.info().ifindex).toBe(0);
    expect(() => l.update(a)).toThrow(/^ENOLINK/);
    expect(s.run('veth0', 'ingress', frame)).toBe(TCX_DROP);
  });

  it('keeps a pinned link alive after close; unpin then releases it', () => {
    const { s, prog } = sim();
    const a = prog('a');
    const l = s.attachTcx({ dev: 'veth0', hook: 'ingress', prog: a });
    l.pin('/sys/fs/bpf/l');
    l.close();
    expect(order(s)).toEqual([a.id]);
    const again = s.openPinnedLink('/sys/fs/bpf/l');
    expect(again.id).toBe(l.id);
    again.close();
    s.unpin('/sys/fs/bpf/l');
    expect(s.query('veth0', 'ingress')).toEqual({ revision: 1, programs: [] });
  });

  it('allocates link ids cyclically: a failed link create still uses one up', () => {
    const { s, prog } = sim();
    const a = prog('a');
    const l1 = s.attachTcx({ dev: 'veth0', hook: 'ingress', prog: a });
    expect(() => s.attachTcx({ dev: 'veth0', hook: 'ingress', prog: a })).toThrow(/^EEXIST/);
    expect(() => s.attachTcx({ dev: 'missing', hook: 'ingress', prog: a })).toThrow(/^ENODEV/);
    const l2 = s.attachTcx({ dev: 'veth0', hook: 'egress', prog: a });
    expect(l2.id).toBe(l1.id + 2); // EEXIST consumed an id; ENODEV came before allocation
  });

  it('a clsact qdisc keeps the emptied entry and its revision; device removal detaches everything', () => {
    const { s, prog } = sim();
    const a = prog('a');
    s.addQdisc('veth0', 'clsact');
    s.attachProgram({ dev: 'veth0', hook: 'ingress', prog: a });
    s.detachProgram({ dev: 'veth0', hook: 'ingress', prog: a });
    expect(s.query('veth0', 'ingress').revision).toBe(3);
    expect(() => s.detachProgram({ dev: 'veth0', hook: 'ingress' })).toThrow(/^ENOENT/);
    s.deleteQdisc('veth0');
    expect(s.query('veth0', 'ingress').revision).toBe(1);
    const l = s.attachTcx({ dev: 'veth0', hook: 'egress', prog: a });
    s.removeDevice('veth0');
    expect(l.info().ifindex).toBe(0);
    expect(() => s.query('veth0', 'egress')).toThrow(/^ENODEV/);
  });
});
