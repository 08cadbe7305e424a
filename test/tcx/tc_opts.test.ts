// Port of tools/testing/selftests/bpf/prog_tests/tc_opts.c (spec §3.1): one test per selftest
// function; "(both)" tests loop over ingress and egress with a fresh environment each.
import { describe, expect, it } from 'vitest';
import { BPF_F_AFTER, BPF_F_BEFORE, BPF_F_ID, BPF_F_REPLACE } from '../../src/mprog/flags.js';
import { BPF_TCX_EGRESS, BPF_TCX_INGRESS } from '../../src/tcx/uapi.js';
import { E, Env, LO, TARGETS } from './selftest-env.js';

const seen = (...names: string[]) => new Set(names);

/** attach tc1..tcN plainly, returning the env */
function withChain(target: number, n: number): Env {
  const env = new Env();
  for (let i = 1; i <= n; i++) expect(env.attach(`tc${i}`, target)).toBe(0);
  return env;
}

function ids(env: Env, target: number, count = 10) {
  const q = env.query(target, count);
  return { ret: q.ret, count: q.out?.count, revision: q.out?.revision, prog: q.out?.progIds, link: q.out?.linkIds };
}

describe('tc_opts.c', () => {
  it('test_ns_tc_opts_basic', () => {
    const env = new Env();
    expect([env.count(BPF_TCX_INGRESS), env.count(BPF_TCX_EGRESS)]).toEqual([0, 0]);
    expect(env.attach('tc1', BPF_TCX_INGRESS)).toBe(0);
    expect([env.count(BPF_TCX_INGRESS), env.count(BPF_TCX_EGRESS)]).toEqual([1, 0]);
    expect(ids(env, BPF_TCX_INGRESS, 2)).toMatchObject({ ret: 0, count: 1, revision: 2, prog: [env.id.tc1] });
    expect(env.ping()).toEqual(seen('tc1'));
    expect(env.attach('tc2', BPF_TCX_EGRESS)).toBe(0);
    expect([env.count(BPF_TCX_INGRESS), env.count(BPF_TCX_EGRESS)]).toEqual([1, 1]);
    expect(ids(env, BPF_TCX_EGRESS, 2)).toMatchObject({ ret: 0, count: 1, revision: 2, prog: [env.id.tc2] });
    expect(env.ping()).toEqual(seen('tc1', 'tc2'));
    expect(env.detach('tc2', BPF_TCX_EGRESS)).toBe(0);
    expect([env.count(BPF_TCX_INGRESS), env.count(BPF_TCX_EGRESS)]).toEqual([1, 0]);
    expect(env.detach('tc1', BPF_TCX_INGRESS)).toBe(0);
    expect([env.count(BPF_TCX_INGRESS), env.count(BPF_TCX_EGRESS)]).toEqual([0, 0]);
  });

  it('test_ns_tc_opts_before', () => {
    for (const t of TARGETS) {
      const env = withChain(t, 2);
      expect(ids(env, t)).toMatchObject({ count: 2, revision: 3, prog: [env.id.tc1, env.id.tc2] });
      expect(env.ping()).toEqual(seen('tc1', 'tc2'));
      expect(env.attach('tc3', t, { flags: BPF_F_BEFORE, relative_fd: env.fd.tc2 })).toBe(0);
      expect(ids(env, t)).toMatchObject({ revision: 4, prog: [env.id.tc1, env.id.tc3, env.id.tc2] });
      expect(env.attach('tc4', t, { flags: BPF_F_BEFORE, relative_id: env.id.tc1 })).toBe(0);
      expect(ids(env, t)).toMatchObject({ count: 4, revision: 5, prog: [env.id.tc4, env.id.tc1, env.id.tc3, env.id.tc2] });
      expect(env.ping()).toEqual(seen('tc1', 'tc2', 'tc3', 'tc4'));
      ['tc4', 'tc3', 'tc2', 'tc1'].forEach((p, k) => {
        expect(env.detach(p, t)).toBe(0);
        expect(env.count(t)).toBe(3 - k);
      });
    }
  });

  it('test_ns_tc_opts_after', () => {
    for (const t of TARGETS) {
      const env = withChain(t, 2);
      expect(ids(env, t)).toMatchObject({ revision: 3 });
      expect(env.attach('tc3', t, { flags: BPF_F_AFTER, relative_fd: env.fd.tc1 })).toBe(0);
      expect(ids(env, t)).toMatchObject({ revision: 4, prog: [env.id.tc1, env.id.tc3, env.id.tc2] });
      expect(env.attach('tc4', t, { flags: BPF_F_AFTER, relative_id: env.id.tc2 })).toBe(0);
      expect(ids(env, t)).toMatchObject({ revision: 5, prog: [env.id.tc1, env.id.tc3, env.id.tc2, env.id.tc4] });
      expect(env.ping()).toEqual(seen('tc1', 'tc2', 'tc3', 'tc4'));
      expect(env.detach('tc4', t)).toBe(0);
      expect(ids(env, t)).toMatchObject({ revision: 6, prog: [env.id.tc1, env.id.tc3, env.id.tc2] });
      expect(env.detach('tc3', t)).toBe(0);
      expect(ids(env, t)).toMatchObject({ revision: 7, prog: [env.id.tc1, env.id.tc2] });
      expect(env.detach('tc2', t)).toBe(0);
      expect(ids(env, t)).toMatchObject({ revision: 8, prog: [env.id.tc1] });
      expect(env.detach('tc1', t)).toBe(0);
      expect(env.count(t)).toBe(0);
    }
  });

  it('test_ns_tc_opts_revision', () => {
    for (const t of TARGETS) {
      const env = new Env();
      expect(env.attach('tc1', t, { expected_revision: 1 })).toBe(0);
      expect(env.count(t)).toBe(1);
      expect(env.attach('tc2', t, { expected_revision: 1 })).toBe(E('ESTALE'));
      expect(env.count(t)).toBe(1);
      expect(env.attach('tc2', t, { expected_revision: 2 })).toBe(0);
      expect(ids(env, t)).toMatchObject({ count: 2, revision: 3, prog: [env.id.tc1, env.id.tc2] });
      expect(env.ping()).toEqual(seen('tc1', 'tc2'));
      expect(env.detach('tc2', t, { expected_revision: 2 })).toBe(E('ESTALE'));
      expect(env.count(t)).toBe(2);
      expect(env.detach('tc2', t, { expected_revision: 3 })).toBe(0);
      expect(env.count(t)).toBe(1);
      expect(env.detach('tc1', t)).toBe(0);
      expect(env.count(t)).toBe(0);
    }
  });

  it('test_ns_tc_opts_chain_classic', () => {
    for (const t of TARGETS) {
      for (const classic of [false, true]) {
        const env = new Env();
        if (classic) {
          env.sys.tcx.addQdisc(LO, 'clsact');
          env.classic.set(t, 'tc3');
        }
        expect(env.attach('tc1', t)).toBe(0);
        expect(env.attach('tc2', t)).toBe(0);
        expect(env.count(t)).toBe(2);
        expect(env.ping()).toEqual(classic ? seen('tc1', 'tc2', 'tc3') : seen('tc1', 'tc2'));
        expect(env.detach('tc2', t)).toBe(0);
        expect(env.count(t)).toBe(1);
        expect(env.ping()).toEqual(classic ? seen('tc1', 'tc3') : seen('tc1'));
        expect(env.detach('tc1', t)).toBe(0);
        expect(env.count(t)).toBe(0);
        if (classic) {
          env.classic.delete(t);
          env.sys.tcx.deleteQdisc(LO);
        }
        expect(env.count(t)).toBe(0);
      }
    }
  });

  it('test_ns_tc_opts_replace', () => {
    for (const t of TARGETS) {
      const env = new Env();
      expect(env.attach('tc1', t, { expected_revision: 1 })).toBe(0);
      expect(env.attach('tc2', t, { flags: BPF_F_BEFORE, relative_id: env.id.tc1, expected_revision: 2 })).toBe(0);
      const q = env.query(t, 3);
      expect(q.ret).toBe(0);
      expect(q.out).toMatchObject({ count: 2, revision: 3, progIds: [env.id.tc2, env.id.tc1], progAttachFlags: [0, 0] });
      expect(env.ping()).toEqual(seen('tc1', 'tc2'));
      expect(env.attach('tc3', t, { flags: BPF_F_REPLACE, replace_prog_fd: env.fd.tc2, expected_revision: 3 })).toBe(0);
      expect(ids(env, t)).toMatchObject({ count: 2, revision: 4, prog: [env.id.tc3, env.id.tc1] });
      expect(env.ping()).toEqual(seen('tc1', 'tc3'));
      expect(
        env.attach('tc2', t, { flags: BPF_F_REPLACE | BPF_F_BEFORE, replace_prog_fd: env.fd.tc3, relative_fd: env.fd.tc1, expected_revision: 4 }),
      ).toBe(0);
      expect(ids(env, t)).toMatchObject({ revision: 5, prog: [env.id.tc2, env.id.tc1] });
      expect(env.ping()).toEqual(seen('tc1', 'tc2'));
      expect(env.attach('tc2', t, { flags: BPF_F_REPLACE, replace_prog_fd: env.fd.tc2 })).toBe(E('EEXIST'));
      expect(env.count(t)).toBe(2);
      expect(
        env.attach('tc3', t, { flags: BPF_F_REPLACE | BPF_F_AFTER, replace_prog_fd: env.fd.tc2, relative_fd: env.fd.tc1, expected_revision: 5 }),
      ).toBe(E('ERANGE'));
      expect(
        env.attach('tc3', t, {
          flags: BPF_F_BEFORE | BPF_F_AFTER | BPF_F_REPLACE,
          replace_prog_fd: env.fd.tc2,
          relative_fd: env.fd.tc1,
          expected_revision: 5,
        }),
      ).toBe(E('ERANGE'));
      expect(env.count(t)).toBe(2);
      expect(env.detach('tc2', t, { flags: BPF_F_BEFORE, relative_id: env.id.tc1, expected_revision: 5 })).toBe(0);
      expect(ids(env, t)).toMatchObject({ prog: [env.id.tc1] });
      expect(env.detach('tc1', t)).toBe(0);
      expect(env.count(t)).toBe(0);
    }
  });

  it('test_ns_tc_opts_invalid', () => {
    for (const t of TARGETS) {
      const env = new Env();
      const { fd } = env;
      const cases: [Parameters<Env['attach']>[2], number][] = [
        [{ flags: BPF_F_BEFORE | BPF_F_AFTER }, E('ERANGE')],
        [{ flags: BPF_F_BEFORE | BPF_F_ID }, E('ENOENT')],
        [{ flags: BPF_F_AFTER | BPF_F_ID }, E('ENOENT')],
        [{ relative_fd: fd.tc2 }, E('EINVAL')],
        [{ flags: BPF_F_BEFORE | BPF_F_AFTER, relative_fd: fd.tc2 }, E('ENOENT')],
        [{ flags: BPF_F_ID, relative_id: env.id.tc2 }, E('EINVAL')],
        [{ flags: BPF_F_BEFORE, relative_fd: fd.tc1 }, E('ENOENT')],
        [{ flags: BPF_F_AFTER, relative_fd: fd.tc1 }, E('ENOENT')],
      ];
      for (const [o, want] of cases) {
        expect(env.attach('tc1', t, o), JSON.stringify(o)).toBe(want);
        expect(env.count(t)).toBe(0);
      }
      expect(env.attach('tc1', t, {})).toBe(0);
      expect(env.count(t)).toBe(1);
      expect(env.attach('tc1', t, {})).toBe(E('EEXIST'));
      expect(env.attach('tc1', t, { flags: BPF_F_BEFORE, relative_fd: fd.tc1 })).toBe(E('EEXIST'));
      expect(env.attach('tc1', t, { flags: BPF_F_AFTER, relative_fd: fd.tc1 })).toBe(E('EEXIST'));
      // REPLACE with replace fd 0 (stdin): the replace fd is resolved before the EEXIST check
      expect(env.attach('tc1', t, { flags: BPF_F_REPLACE, relative_fd: fd.tc1 })).toBe(E('EINVAL'));
      expect(env.attach('tc1', t, { flags: BPF_F_REPLACE, replace_prog_fd: fd.tc1 })).toBe(E('EEXIST'));
      expect(env.count(t)).toBe(1);
      expect(env.detach('tc1', t)).toBe(0);
      expect(env.count(t)).toBe(0);
    }
  });

  for (const [name, flag, order] of [
    ['test_ns_tc_opts_prepend', BPF_F_BEFORE, ['tc4', 'tc3', 'tc2', 'tc1']],
    ['test_ns_tc_opts_append', BPF_F_AFTER, ['tc1', 'tc2', 'tc3', 'tc4']],
  ] as const) {
    it(name, () => {
      for (const t of TARGETS) {
        const env = new Env();
        expect(env.attach('tc1', t)).toBe(0);
        expect(env.attach('tc2', t, { flags: flag })).toBe(0);
        expect(ids(env, t)).toMatchObject({ revision: 3, prog: (flag === BPF_F_BEFORE ? ['tc2', 'tc1'] : ['tc1', 'tc2']).map((p) => env.id[p]) });
        expect(env.attach('tc3', t, { flags: flag })).toBe(0);
        expect(env.attach('tc4', t, { flags: flag })).toBe(0);
        expect(ids(env, t)).toMatchObject({ count: 4, revision: 5, prog: order.map((p) => env.id[p]) });
        expect(env.ping()).toEqual(seen('tc1', 'tc2', 'tc3', 'tc4'));
        ['tc4', 'tc3', 'tc2', 'tc1'].forEach((p, k) => {
          expect(env.detach(p, t)).toBe(0);
          expect(env.count(t)).toBe(3 - k);
        });
      }
    });
  }

  it('test_ns_tc_opts_dev_cleanup', () => {
    for (const t of TARGETS) {
      const env = new Env();
      env.sys.tcx.addDevice(2, 'tcx_opts1');
      env.sys.tcx.addDevice(3, 'tcx_opts2');
      for (let i = 1; i <= 4; i++) {
        expect(env.attach(`tc${i}`, t, {}, 2)).toBe(0);
        expect(env.count(t, 2)).toBe(i);
      }
      env.sys.tcx.removeDevice(2);
      env.sys.tcx.removeDevice(3);
      expect(env.sys.tcx.device(2)).toBeUndefined();
      expect(env.query(t, 10, 2).ret).toBe(E('ENODEV'));
      expect(env.attach('tc1', t, {}, 2)).toBe(E('ENODEV'));
      // the hook's references are gone: closing the fds frees the programs (ids unknown afterwards)
      env.sys.close(env.fd.tc1!);
      expect(env.attach('tc2', t, { flags: BPF_F_AFTER | BPF_F_ID, relative_id: env.id.tc1 })).toBe(E('ENOENT'));
    }
  });

  it('test_ns_tc_opts_mixed', () => {
    for (const t of TARGETS) {
      const env = new Env();
      expect(env.attach('tc1', t)).toBe(0);
      const l2 = env.link('tc2', t);
      expect(l2).toBeGreaterThan(0);
      expect(env.count(t)).toBe(2);
      expect(env.attach('tc2', t, { flags: BPF_F_REPLACE, replace_prog_fd: env.fd.tc1 })).toBe(E('EEXIST'));
      expect(env.attach('tc1', t, { flags: BPF_F_REPLACE, replace_prog_fd: env.fd.tc2 })).toBe(E('EEXIST'));
      expect(env.attach('tc3', t, { flags: BPF_F_REPLACE, replace_prog_fd: env.fd.tc2 })).toBe(E('EBUSY'));
      expect(env.attach('tc3', t, { flags: BPF_F_REPLACE, replace_prog_fd: env.fd.tc1 })).toBe(0);
      expect(env.count(t)).toBe(2);
      const l4 = env.link('tc4', t);
      expect(l4).toBeGreaterThan(0);
      expect(env.count(t)).toBe(3);
      expect(env.attach('tc2', t, { flags: BPF_F_REPLACE, replace_prog_fd: env.fd.tc4 })).toBe(E('EEXIST'));
      const q = env.query(t, 4);
      expect(q.ret).toBe(0);
      expect(q.out).toEqual({
        count: 3,
        revision: 5,
        attachFlags: 0,
        progIds: [env.id.tc3, env.id.tc2, env.id.tc4],
        linkIds: [0, env.linkId(l2), env.linkId(l4)],
        progAttachFlags: [0, 0, 0],
        linkAttachFlags: [0, 0, 0],
      });
      expect(env.ping()).toEqual(seen('tc3', 'tc2', 'tc4'));
      expect(env.detach('tc3', t)).toBe(0);
      expect(env.count(t)).toBe(2);
      expect(env.sys.close(l2)).toBe(0);
      expect(env.sys.close(l4)).toBe(0);
      expect(env.count(t)).toBe(0);
    }
  });

  it('test_ns_tc_opts_demixed', () => {
    for (const t of TARGETS) {
      const env = new Env();
      expect(env.attach('tc1', t)).toBe(0);
      const l2 = env.link('tc2', t);
      expect(env.count(t)).toBe(2);
      expect(env.detach(0, t, { flags: BPF_F_AFTER })).toBe(E('EBUSY'));
      expect(env.count(t)).toBe(2);
      expect(env.detach(0, t, { flags: BPF_F_BEFORE })).toBe(0);
      expect(env.count(t)).toBe(1);
      expect(env.sys.close(l2)).toBe(0);
      expect(env.count(t)).toBe(0);
    }
  });

  it('test_ns_tc_opts_detach', () => {
    for (const t of TARGETS) {
      const env = withChain(t, 4);
      expect(ids(env, t)).toMatchObject({ revision: 5 });
      expect(env.detach(0, t, { flags: BPF_F_BEFORE })).toBe(0);
      expect(ids(env, t)).toMatchObject({ revision: 6, prog: ['tc2', 'tc3', 'tc4'].map((p) => env.id[p]) });
      expect(env.detach(0, t, { flags: BPF_F_AFTER })).toBe(0);
      expect(ids(env, t)).toMatchObject({ revision: 7, prog: ['tc2', 'tc3'].map((p) => env.id[p]) });
      expect(env.detach('tc3', t)).toBe(0);
      expect(env.count(t)).toBe(1);
      expect(env.detach('tc2', t)).toBe(0);
      expect(env.count(t)).toBe(0);
      expect(env.detach(0, t, { flags: BPF_F_BEFORE })).toBe(E('ENOENT'));
      expect(env.detach(0, t, { flags: BPF_F_AFTER })).toBe(E('ENOENT'));
    }
  });

  it('test_ns_tc_opts_detach_before', () => {
    for (const t of TARGETS) {
      const env = withChain(t, 4);
      const { fd } = env;
      expect(env.detach('tc1', t, { flags: BPF_F_BEFORE, relative_fd: fd.tc2 })).toBe(0);
      expect(ids(env, t)).toMatchObject({ revision: 6, prog: ['tc2', 'tc3', 'tc4'].map((p) => env.id[p]) });
      expect(env.detach('tc1', t, { flags: BPF_F_BEFORE, relative_fd: fd.tc2 })).toBe(E('ENOENT'));
      expect(env.detach('tc2', t, { flags: BPF_F_BEFORE, relative_fd: fd.tc4 })).toBe(E('ERANGE'));
      expect(env.detach('tc2', t, { flags: BPF_F_BEFORE, relative_fd: fd.tc1 })).toBe(E('ENOENT'));
      expect(env.detach('tc2', t, { flags: BPF_F_BEFORE, relative_fd: fd.tc3 })).toBe(0);
      expect(ids(env, t)).toMatchObject({ revision: 7, prog: ['tc3', 'tc4'].map((p) => env.id[p]) });
      expect(env.detach(0, t, { flags: BPF_F_BEFORE, relative_fd: fd.tc4 })).toBe(0);
      expect(ids(env, t)).toMatchObject({ revision: 8, prog: [env.id.tc4] });
      expect(env.detach(0, t, { flags: BPF_F_BEFORE })).toBe(0);
      expect(env.count(t)).toBe(0);
    }
  });

  it('test_ns_tc_opts_detach_after', () => {
    for (const t of TARGETS) {
      const env = withChain(t, 4);
      const { fd } = env;
      expect(env.detach('tc2', t, { flags: BPF_F_AFTER, relative_fd: fd.tc1 })).toBe(0);
      expect(ids(env, t)).toMatchObject({ revision: 6, prog: ['tc1', 'tc3', 'tc4'].map((p) => env.id[p]) });
      expect(env.detach('tc2', t, { flags: BPF_F_AFTER, relative_fd: fd.tc1 })).toBe(E('ENOENT'));
      expect(env.detach('tc1', t, { flags: BPF_F_AFTER, relative_fd: fd.tc4 })).toBe(E('ERANGE'));
      expect(env.detach('tc1', t, { flags: BPF_F_AFTER, relative_fd: fd.tc3 })).toBe(E('ERANGE'));
      expect(env.detach('tc1', t, { flags: BPF_F_AFTER, relative_fd: fd.tc1 })).toBe(E('ERANGE'));
      expect(env.detach('tc3', t, { flags: BPF_F_AFTER, relative_fd: fd.tc1 })).toBe(0);
      expect(ids(env, t)).toMatchObject({ revision: 7, prog: ['tc1', 'tc4'].map((p) => env.id[p]) });
      expect(env.detach(0, t, { flags: BPF_F_AFTER, relative_fd: fd.tc1 })).toBe(0);
      expect(ids(env, t)).toMatchObject({ revision: 8, prog: [env.id.tc1] });
      expect(env.detach(0, t, { flags: BPF_F_AFTER })).toBe(0);
      expect(env.count(t)).toBe(0);
    }
  });

  it('test_ns_tc_opts_delete_empty', () => {
    for (const t of TARGETS) {
      for (const clsact of [false, true]) {
        const env = new Env();
        expect(env.count(t)).toBe(0);
        if (clsact) {
          env.sys.tcx.addQdisc(LO, 'clsact');
          expect(env.count(t)).toBe(0);
        }
        expect(env.detach(0, t)).toBe(E('ENOENT'));
        if (clsact) env.sys.tcx.deleteQdisc(LO);
        expect(env.count(t)).toBe(0);
      }
    }
  });

  it('test_ns_tc_opts_chain_mixed', () => {
    for (const t of TARGETS) {
      const env = new Env();
      env.sys.tcx.addQdisc(LO, 'clsact');
      env.classic.set(t, 'tc5');
      expect(env.attach('tc6', t)).toBe(0);
      expect(env.count(t)).toBe(1);
      expect(env.ping()).toEqual(seen('tc6'));
      expect(env.attach('tc4', t, { flags: BPF_F_REPLACE, replace_prog_fd: env.fd.tc6 })).toBe(0);
      expect(env.count(t)).toBe(1);
      expect(env.ping()).toEqual(seen('tc4', 'tc5'));
      expect(env.detach('tc4', t)).toBe(0);
      expect(env.count(t)).toBe(0);
      expect(env.ping()).toEqual(seen('tc5'));
      env.classic.delete(t);
      env.sys.tcx.deleteQdisc(LO);
    }
  });

  it('test_ns_tc_opts_max', () => {
    const runs: [number, number, boolean][] = [
      [BPF_TCX_INGRESS, 0, false],
      [BPF_TCX_EGRESS, 0, false],
      [BPF_TCX_INGRESS, BPF_F_BEFORE, false],
      [BPF_TCX_EGRESS, BPF_F_BEFORE, true],
      [BPF_TCX_INGRESS, BPF_F_AFTER, true],
      [BPF_TCX_EGRESS, BPF_F_AFTER, false],
    ];
    for (const [t, flags, relative] of runs) {
      const env = new Env();
      env.sys.tcx.addDevice(2, 'tcx_opts1');
      let last = 0;
      for (let i = 0; i < 63; i++) {
        last = env.load(`dummy${i}`, 0);
        expect(env.attach(last, t, {}, 2)).toBe(0);
        expect(env.count(t, 2)).toBe(i + 1);
      }
      const extra = env.load('dummy63', 0);
      expect(env.attach(extra, t, { flags, relative_fd: relative ? last : 0 }, 2)).toBe(E('ERANGE'));
      expect(env.count(t, 2)).toBe(63);
      env.sys.tcx.removeDevice(2);
    }
  });

  it('test_ns_tc_opts_query', () => {
    for (const t of TARGETS) {
      const env = new Env();
      for (let i = 1; i <= 4; i++) expect(env.attach(`tc${i}`, t, { expected_revision: i })).toBe(0);
      const all = ['tc1', 'tc2', 'tc3', 'tc4'].map((p) => env.id[p]);
      // count 0, NULL arrays: only count and revision
      let q = env.sys.progQuery({ targetIfindex: LO, attachType: t, count: 0, withIds: false });
      expect(q).toMatchObject({ ret: 0, out: { count: 4, revision: 5, attachFlags: 0, progIds: [] } });
      q = env.query(t, 4);
      expect(q).toMatchObject({ ret: 0, out: { count: 4, revision: 5, progIds: all } });
      // count 2: ENOSPC, the first two ids, count still reports the total
      q = env.query(t, 2);
      expect(q).toMatchObject({ ret: E('ENOSPC'), out: { count: 4, revision: 5, progIds: all.slice(0, 2) } });
      q = env.query(t, 10);
      expect(q).toMatchObject({ ret: 0, out: { count: 4, progIds: all } });
      q = env.sys.progQuery({ targetIfindex: LO, attachType: t, count: 40, withIds: false });
      expect(q).toMatchObject({ ret: 0, out: { count: 4, progIds: [] } });
      q = env.query(t, 0);
      expect(q).toMatchObject({ ret: 0, out: { count: 4, progIds: [] } });
      expect(env.sys.progQuery({ targetIfindex: LO, attachType: t, count: 10, queryFlags: 1 }).ret).toBe(E('EINVAL'));
      expect(env.sys.progQuery({ targetIfindex: LO, attachType: t, count: 10, attachFlags: 1 }).ret).toBe(E('EINVAL'));
      ['tc4', 'tc3', 'tc2', 'tc1'].forEach((p, k) => {
        expect(env.detach(p, t)).toBe(0);
        expect(env.count(t)).toBe(3 - k);
      });
    }
  });

  it('test_ns_tc_opts_query_attach', () => {
    for (const t of TARGETS) {
      const env = new Env();
      expect(ids(env, t, 2)).toMatchObject({ ret: 0, count: 0, revision: 1 });
      expect(env.attach('tc1', t, { expected_revision: 1 })).toBe(0);
      expect(ids(env, t, 2)).toMatchObject({ ret: 0, count: 1, revision: 2, prog: [env.id.tc1] });
      expect(env.detach('tc1', t)).toBe(0);
      expect(env.count(t)).toBe(0);
    }
  });
});
