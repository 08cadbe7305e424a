// Port of tools/testing/selftests/bpf/prog_tests/tc_links.c (spec §3.2): one test per selftest
// function. The selftests only assert "error" for failing link creates; the errnos here are the
// kernel's (derived in the spec, and seen in the oracle traces).
import { describe, expect, it } from 'vitest';
import { BPF_F_AFTER, BPF_F_BEFORE, BPF_F_ID, BPF_F_LINK, BPF_F_REPLACE } from '../../src/mprog/flags.js';
import { BPF_TCX_EGRESS, BPF_TCX_INGRESS } from '../../src/tcx/uapi.js';
import { E, Env, LO, TARGETS } from './selftest-env.js';

const seen = (...names: string[]) => new Set(names);

function q(env: Env, target: number, count = 10, ifindex = LO) {
  const r = env.query(target, count, ifindex);
  return { ret: r.ret, count: r.out?.count, revision: r.out?.revision, prog: r.out?.progIds, link: r.out?.linkIds };
}

function links(env: Env, t: number, names: string[]): number[] {
  return names.map((p) => {
    const fd = env.link(p, t);
    expect(fd, p).toBeGreaterThan(0);
    return fd;
  });
}

describe('tc_links.c', () => {
  it('test_ns_tc_links_basic', () => {
    const env = new Env();
    const l1 = env.link('tc1', BPF_TCX_INGRESS);
    expect(l1).toBeGreaterThan(0);
    expect([env.count(BPF_TCX_INGRESS), env.count(BPF_TCX_EGRESS)]).toEqual([1, 0]);
    expect(q(env, BPF_TCX_INGRESS, 2)).toMatchObject({ ret: 0, count: 1, revision: 2, prog: [env.id.tc1], link: [env.linkId(l1)] });
    expect(env.ping()).toEqual(seen('tc1'));
    const l2 = env.link('tc2', BPF_TCX_EGRESS);
    expect([env.count(BPF_TCX_INGRESS), env.count(BPF_TCX_EGRESS)]).toEqual([1, 1]);
    expect(env.linkId(l1)).not.toBe(env.linkId(l2));
    expect(q(env, BPF_TCX_EGRESS, 2)).toMatchObject({ count: 1, revision: 2, prog: [env.id.tc2], link: [env.linkId(l2)] });
    expect(env.ping()).toEqual(seen('tc1', 'tc2'));
    env.sys.close(l1);
    env.sys.close(l2);
    expect([env.count(BPF_TCX_INGRESS), env.count(BPF_TCX_EGRESS)]).toEqual([0, 0]);
  });

  it('test_ns_tc_links_before', () => {
    for (const t of TARGETS) {
      const env = new Env();
      const [l1, l2] = links(env, t, ['tc1', 'tc2']) as [number, number];
      expect(q(env, t)).toMatchObject({ revision: 3, prog: [env.id.tc1, env.id.tc2], link: [env.linkId(l1), env.linkId(l2)] });
      expect(env.ping()).toEqual(seen('tc1', 'tc2'));
      const l3 = env.link('tc3', t, { flags: BPF_F_BEFORE, relative_fd: env.fd.tc2 });
      expect(l3).toBeGreaterThan(0);
      const l4 = env.link('tc4', t, { flags: BPF_F_BEFORE | BPF_F_LINK, relative_id: env.linkId(l1) });
      expect(l4).toBeGreaterThan(0);
      expect(q(env, t)).toMatchObject({
        count: 4,
        revision: 5,
        prog: ['tc4', 'tc1', 'tc3', 'tc2'].map((p) => env.id[p]),
        link: [l4, l1, l3, l2].map((l) => env.linkId(l)),
      });
      expect(env.ping()).toEqual(seen('tc1', 'tc2', 'tc3', 'tc4'));
      for (const l of [l1, l2, l3, l4]) env.sys.close(l);
      expect(env.count(t)).toBe(0);
    }
  });

  it('test_ns_tc_links_after', () => {
    for (const t of TARGETS) {
      const env = new Env();
      const [l1, l2] = links(env, t, ['tc1', 'tc2']) as [number, number];
      expect(q(env, t)).toMatchObject({ revision: 3 });
      const l3 = env.link('tc3', t, { flags: BPF_F_AFTER, relative_fd: env.fd.tc1 });
      const l4 = env.link('tc4', t, { flags: BPF_F_AFTER | BPF_F_LINK, relative_fd: l2 });
      expect(q(env, t)).toMatchObject({
        revision: 5,
        prog: ['tc1', 'tc3', 'tc2', 'tc4'].map((p) => env.id[p]),
        link: [l1, l3, l2, l4].map((l) => env.linkId(l)),
      });
      expect(env.ping()).toEqual(seen('tc1', 'tc2', 'tc3', 'tc4'));
      for (const l of [l1, l2, l3, l4]) env.sys.close(l);
      expect(env.count(t)).toBe(0);
    }
  });

  it('test_ns_tc_links_revision', () => {
    for (const t of TARGETS) {
      const env = new Env();
      const l1 = env.link('tc1', t, { expected_revision: 1 });
      expect(l1).toBeGreaterThan(0);
      expect(env.link('tc2', t, { expected_revision: 1 })).toBe(E('ESTALE'));
      expect(env.count(t)).toBe(1);
      const l2 = env.link('tc2', t, { expected_revision: 2 });
      expect(l2).toBeGreaterThan(0);
      expect(q(env, t)).toMatchObject({ count: 2, revision: 3, prog: [env.id.tc1, env.id.tc2], link: [env.linkId(l1), env.linkId(l2)] });
      expect(env.ping()).toEqual(seen('tc1', 'tc2'));
      env.sys.close(l1);
      env.sys.close(l2);
      expect(env.count(t)).toBe(0);
    }
  });

  it('test_ns_tc_links_chain_classic', () => {
    for (const t of TARGETS) {
      for (const classic of [false, true]) {
        const env = new Env();
        if (classic) {
          env.sys.tcx.addQdisc(LO, 'clsact');
          env.classic.set(t, 'tc3');
        }
        const [l1, l2] = links(env, t, ['tc1', 'tc2']) as [number, number];
        expect(env.count(t)).toBe(2);
        expect(env.ping()).toEqual(classic ? seen('tc1', 'tc2', 'tc3') : seen('tc1', 'tc2'));
        expect(env.sys.linkDetach(l2)).toBe(0);
        expect(env.count(t)).toBe(1);
        expect(env.ping()).toEqual(classic ? seen('tc1', 'tc3') : seen('tc1'));
        if (classic) {
          env.classic.delete(t);
          env.sys.tcx.deleteQdisc(LO);
        }
        expect(env.count(t)).toBe(1);
        env.sys.close(l1);
        env.sys.close(l2);
        expect(env.count(t)).toBe(0);
      }
    }
  });

  it('test_ns_tc_links_replace', () => {
    for (const t of TARGETS) {
      const env = new Env();
      const l1 = env.link('tc1', t, { expected_revision: 1 });
      const l2 = env.link('tc2', t, { flags: BPF_F_BEFORE, relative_id: env.id.tc1, expected_revision: 2 });
      expect(q(env, t)).toMatchObject({ revision: 3, prog: [env.id.tc2, env.id.tc1], link: [env.linkId(l2), env.linkId(l1)] });
      expect(env.ping()).toEqual(seen('tc1', 'tc2'));
      expect(env.link('tc3', t, { flags: BPF_F_REPLACE, relative_fd: env.fd.tc2, expected_revision: 3 })).toBe(E('ENOENT'));
      expect(env.link('tc3', t, { flags: BPF_F_REPLACE | BPF_F_LINK, relative_fd: l2, expected_revision: 3 })).toBe(E('ENOENT'));
      expect(env.link('tc3', t, { flags: BPF_F_REPLACE | BPF_F_LINK | BPF_F_AFTER, relative_id: env.linkId(l2) })).toBe(E('ENOENT'));
      expect(env.count(t)).toBe(2);
      expect(env.sys.linkUpdate({ linkFd: l2, newProgFd: env.fd.tc3! })).toBe(0);
      expect(q(env, t)).toMatchObject({ count: 2, revision: 4, prog: [env.id.tc3, env.id.tc1], link: [env.linkId(l2), env.linkId(l1)] });
      expect(env.ping()).toEqual(seen('tc1', 'tc3'));
      expect(env.sys.linkDetach(l2)).toBe(0);
      expect(q(env, t)).toMatchObject({ count: 1, revision: 5, prog: [env.id.tc1], link: [env.linkId(l1)] });
      expect(env.ping()).toEqual(seen('tc1'));
      expect(env.sys.linkUpdate({ linkFd: l1, newProgFd: env.fd.tc1! })).toBe(0);
      expect(q(env, t)).toMatchObject({ count: 1, revision: 5 });
      env.sys.close(l1);
      env.sys.close(l2);
      expect(env.count(t)).toBe(0);
    }
  });

  it('test_ns_tc_links_invalid', () => {
    for (const t of TARGETS) {
      const env = new Env();
      const { fd, id } = env;
      const idsBefore = env.sys.linkOf(env.link('tc5', BPF_TCX_INGRESS, {}, LO))!.id; // a probe link to watch id use
      const cases: [string, Parameters<Env['link']>[2], number, number?][] = [
        ['tc1', { flags: BPF_F_BEFORE | BPF_F_AFTER }, E('ERANGE')],
        ['tc1', { flags: BPF_F_BEFORE | BPF_F_ID }, E('ENOENT')],
        ['tc1', { flags: BPF_F_AFTER | BPF_F_ID }, E('ENOENT')],
        ['tc1', { flags: BPF_F_ID }, E('ENOENT')],
        ['tc1', { flags: BPF_F_LINK, relative_fd: fd.tc2 }, E('EINVAL')],
        ['tc1', { flags: BPF_F_LINK }, E('EINVAL')],
        ['tc1', { relative_fd: fd.tc2 }, E('EINVAL')],
        ['tc1', { flags: BPF_F_BEFORE | BPF_F_AFTER, relative_fd: fd.tc2 }, E('ENOENT')],
        ['tc1', { flags: BPF_F_BEFORE, relative_fd: fd.tc1 }, E('ENOENT')],
        ['tc1', { flags: BPF_F_ID, relative_id: id.tc2 }, E('EINVAL')],
        ['tc1', { flags: BPF_F_ID, relative_id: 42 }, E('ENOENT')],
        ['tc1', { flags: BPF_F_BEFORE, relative_fd: fd.tc1 }, E('ENOENT')],
        ['tc1', { flags: BPF_F_BEFORE | BPF_F_LINK, relative_fd: fd.tc1 }, E('EINVAL')],
        ['tc1', { flags: BPF_F_AFTER, relative_fd: fd.tc1 }, E('ENOENT')],
        ['tc1', {}, E('EINVAL'), 0],
        ['tc1', { flags: BPF_F_AFTER | BPF_F_LINK, relative_fd: fd.tc1 }, E('EINVAL')],
      ];
      for (const [p, o, want, ifindex] of cases) {
        expect(env.link(p, t, o, ifindex ?? LO), JSON.stringify(o)).toBe(want);
        expect(env.count(t)).toBe(t === BPF_TCX_INGRESS ? 1 : 0);
      }
      // 15 of the 16 failures reached the kernel after the device check and used up a link id (Q9)
      const probe = env.link('tc6', BPF_TCX_EGRESS === t ? BPF_TCX_INGRESS : BPF_TCX_EGRESS);
      expect(env.linkId(probe)).toBe(idsBefore + 1 + 15);
      env.sys.close(probe);
      const base = env.count(t);
      const l1 = env.link('tc1', t, {});
      expect(l1).toBeGreaterThan(0);
      expect(env.count(t)).toBe(base + 1);
      expect(env.link('tc2', t, { flags: BPF_F_AFTER | BPF_F_LINK, relative_fd: fd.tc1 })).toBe(E('EINVAL'));
      expect(env.link('tc2', t, { flags: BPF_F_BEFORE | BPF_F_LINK | BPF_F_ID, relative_id: ~0 >>> 0 })).toBe(E('ENOENT'));
      expect(env.link('tc1', t, { flags: BPF_F_BEFORE | BPF_F_LINK | BPF_F_ID, relative_id: env.linkId(l1) })).toBe(E('EEXIST'));
      expect(env.link('tc1', t, { flags: BPF_F_BEFORE | BPF_F_ID, relative_id: id.tc1 })).toBe(E('EEXIST'));
      const l2 = env.link('tc2', t, { flags: BPF_F_BEFORE | BPF_F_LINK | BPF_F_ID, relative_id: env.linkId(l1) });
      expect(l2).toBeGreaterThan(0);
      const r = q(env, t);
      expect(r.prog!.slice(-2)).toEqual([id.tc2, id.tc1]);
      expect(r.count).toBe(base + 2);
    }
  });

  for (const [name, flag, order] of [
    ['test_ns_tc_links_prepend', BPF_F_BEFORE, ['tc4', 'tc3', 'tc2', 'tc1']],
    ['test_ns_tc_links_append', BPF_F_AFTER, ['tc1', 'tc2', 'tc3', 'tc4']],
  ] as const) {
    it(name, () => {
      for (const t of TARGETS) {
        const env = new Env();
        const lk: Record<string, number> = { tc1: env.link('tc1', t) };
        lk.tc2 = env.link('tc2', t, { flags: flag });
        expect(q(env, t)).toMatchObject({ revision: 3, prog: (flag === BPF_F_BEFORE ? ['tc2', 'tc1'] : ['tc1', 'tc2']).map((p) => env.id[p]) });
        lk.tc3 = env.link('tc3', t, { flags: flag });
        lk.tc4 = env.link('tc4', t, { flags: flag });
        expect(q(env, t)).toMatchObject({
          count: 4,
          revision: 5,
          prog: order.map((p) => env.id[p]),
          link: order.map((p) => env.linkId(lk[p]!)),
        });
        expect(env.ping()).toEqual(seen('tc1', 'tc2', 'tc3', 'tc4'));
        for (const l of Object.values(lk)) env.sys.close(l);
        expect(env.count(t)).toBe(0);
      }
    });
  }

  it('test_ns_tc_links_dev_cleanup', () => {
    for (const t of TARGETS) {
      const env = new Env();
      env.sys.tcx.addDevice(2, 'tcx_opts1');
      env.sys.tcx.addDevice(3, 'tcx_opts2');
      const lks = ['tc1', 'tc2', 'tc3', 'tc4'].map((p, i) => {
        const l = env.link(p, t, {}, 2);
        expect(env.count(t, 2)).toBe(i + 1);
        return l;
      });
      const rev = q(env, t, 10, 2).revision;
      env.sys.tcx.removeDevice(2);
      env.sys.tcx.removeDevice(3);
      expect(rev).toBe(5);
      for (const l of lks) {
        expect(env.sys.linkInfo(l).info).toMatchObject({ ifindex: 0, attachType: t });
        expect(env.sys.linkUpdate({ linkFd: l, newProgFd: env.fd.tc5! })).toBe(E('ENOLINK'));
        expect(env.sys.linkDetach(l)).toBe(0);
      }
      for (const l of lks) expect(env.sys.close(l)).toBe(0);
    }
  });

  it('test_ns_tc_links_chain_mixed', () => {
    for (const t of TARGETS) {
      const env = new Env();
      env.sys.tcx.addQdisc(LO, 'clsact');
      env.classic.set(t, 'tc5');
      const l = env.link('tc6', t);
      expect(env.count(t)).toBe(1);
      expect(env.ping()).toEqual(seen('tc6'));
      expect(env.sys.linkUpdate({ linkFd: l, newProgFd: env.fd.tc4! })).toBe(0);
      expect(env.count(t)).toBe(1);
      expect(env.ping()).toEqual(seen('tc4', 'tc5'));
      expect(env.sys.linkDetach(l)).toBe(0);
      expect(env.count(t)).toBe(0);
      expect(env.ping()).toEqual(seen('tc5'));
      env.classic.delete(t);
      env.sys.tcx.deleteQdisc(LO);
      env.sys.close(l);
    }
  });

  it('test_ns_tc_links_ingress', () => {
    const t = BPF_TCX_INGRESS;
    for (const [classic, teardownFirst] of [
      [true, true],
      [true, false],
      [false, false],
    ] as const) {
      const env = new Env();
      if (classic) {
        env.sys.tcx.addQdisc(LO, 'ingress');
        env.classic.set(t, 'tc3');
      }
      const [l1, l2] = links(env, t, ['tc1', 'tc2']) as [number, number];
      expect(env.count(t)).toBe(2);
      expect(env.ping()).toEqual(classic ? seen('tc1', 'tc2', 'tc3') : seen('tc1', 'tc2'));
      expect(env.sys.linkDetach(l2)).toBe(0);
      expect(env.count(t)).toBe(1);
      expect(env.ping()).toEqual(classic ? seen('tc1', 'tc3') : seen('tc1'));
      env.classic.delete(t);
      expect(env.ping()).toEqual(seen('tc1'));
      expect(env.count(t)).toBe(1);
      if (classic && teardownFirst) {
        env.sys.tcx.deleteQdisc(LO);
        expect(env.ping()).toEqual(seen('tc1'));
      }
      env.sys.close(l1);
      env.sys.close(l2);
      expect(env.ping()).toEqual(seen());
      if (classic && !teardownFirst) {
        // the qdisc kept the emptied entry alive: its revision survived the last detach
        expect(q(env, t)).toMatchObject({ count: 0, revision: 5 });
        env.sys.tcx.deleteQdisc(LO);
        expect(env.ping()).toEqual(seen());
      }
      expect(env.count(t)).toBe(0);
      expect(q(env, t)).toMatchObject({ count: 0, revision: 1 });
    }
  });

  it('test_ns_tc_links_dev_chain0', () => {
    const env = new Env();
    env.sys.tcx.addDevice(2, 'foo');
    env.sys.tcx.addDevice(3, 'bar');
    env.sys.tcx.addQdisc(2, 'ingress');
    // replacing ingress by clsact: the ingress entry goes through miniq users 1 -> 0 -> 1
    env.sys.tcx.deleteQdisc(2);
    env.sys.tcx.addQdisc(2, 'clsact');
    expect(env.sys.tcx.device(2)!.ingress!.miniqActive).toBe(1);
    env.sys.tcx.removeDevice(2);
    env.sys.tcx.removeDevice(3);
    expect(env.sys.tcx.device(2)).toBeUndefined();
  });

  it('test_ns_tc_links_dev_mixed', () => {
    for (const t of TARGETS) {
      const env = new Env();
      env.sys.tcx.addDevice(2, 'tcx_opts1');
      env.sys.tcx.addDevice(3, 'tcx_opts2');
      const lks = ['tc1', 'tc2', 'tc3', 'tc4'].map((p, i) => {
        const l = env.link(p, t, {}, 2);
        expect(env.count(t, 2)).toBe(i + 1);
        return l;
      });
      env.sys.tcx.addQdisc(2, 'clsact');
      env.sys.tcx.removeDevice(2);
      env.sys.tcx.removeDevice(3);
      for (const l of lks) expect(env.sys.linkInfo(l).info!.ifindex).toBe(0);
      for (const l of lks) expect(env.sys.close(l)).toBe(0);
    }
  });
});
