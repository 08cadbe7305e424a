// selftest-env.ts: the fixtures of the kernel selftests tc_opts.c / tc_links.c (spec §3.0) on
// the simulated syscall layer: lo (ifindex 1), programs tc1..tc8 that record "seen", libbpf-like
// wrappers (relative_id adds BPF_F_ID) and a ping that runs lo egress then lo ingress, with an
// optional classic cls_bpf filter that runs only when tcx says TCX_NEXT.
import { ERRNO, type ErrnoName } from '../../src/errors.js';
import { BPF_F_ID } from '../../src/mprog/flags.js';
import { tcxRun } from '../../src/tcx/run.js';
import { BpfSys } from '../../src/tcx/syscall.js';
import { BPF_TCX_EGRESS, BPF_TCX_INGRESS, TCX_DROP, TCX_NEXT, TCX_PASS, TCX_REDIRECT } from '../../src/tcx/uapi.js';

export const TARGETS = [BPF_TCX_INGRESS, BPF_TCX_EGRESS] as const;
export const E = (name: ErrnoName): number => -ERRNO[name];
export const LO = 1;

export interface Opts {
  flags?: number;
  replace_prog_fd?: number;
  relative_fd?: number;
  relative_id?: number;
  expected_revision?: number;
}

const RETS: Record<string, number> = { tc1: TCX_NEXT, tc2: TCX_NEXT, tc3: TCX_NEXT, tc4: TCX_NEXT, tc5: TCX_PASS, tc6: TCX_PASS, tc7: TCX_PASS, tc8: TCX_PASS };
const FRAME = new Uint8Array(64);

export class Env {
  readonly sys = new BpfSys();
  readonly seen = new Set<string>();
  readonly fd: Record<string, number> = {};
  readonly id: Record<string, number> = {};
  /** classic cls_bpf filter per attach type (bpf_tc_attach), run only after TCX_NEXT */
  readonly classic = new Map<number, string>();

  constructor() {
    this.sys.tcx.addDevice(LO, 'lo');
    for (const name of Object.keys(RETS)) this.load(name, RETS[name]!);
  }

  load(name: string, ret: number, type: 'sched_cls' | 'socket_filter' = 'sched_cls'): number {
    const seen = this.seen;
    const fd = this.sys.progLoad({ type, name, run: () => (seen.add(name), ret) });
    this.fd[name] = fd;
    this.id[name] = this.sys.progOf(fd)!.id;
    return fd;
  }

  /** bpf_prog_attach_opts */
  attach(prog: string | number, target: number, o: Opts = {}, ifindex = LO): number {
    if (o.relative_fd && o.relative_id) return E('EINVAL');
    return this.sys.progAttach({
      targetIfindex: ifindex,
      attachBpfFd: typeof prog === 'string' ? this.fd[prog]! : prog,
      attachType: target,
      attachFlags: (o.flags ?? 0) | (o.relative_id ? BPF_F_ID : 0),
      replaceBpfFd: o.replace_prog_fd ?? 0,
      relativeFdOrId: o.relative_id || o.relative_fd || 0,
      expectedRevision: BigInt(o.expected_revision ?? 0),
    });
  }

  /** bpf_prog_detach_opts (prog 0 = by position) */
  detach(prog: string | 0, target: number, o: Opts = {}, ifindex = LO): number {
    if (o.relative_fd && o.relative_id) return E('EINVAL');
    return this.sys.progDetach({
      targetIfindex: ifindex,
      attachBpfFd: prog === 0 ? 0 : this.fd[prog]!,
      attachType: target,
      attachFlags: (o.flags ?? 0) | (o.relative_id ? BPF_F_ID : 0),
      relativeFdOrId: o.relative_id || o.relative_fd || 0,
      expectedRevision: BigInt(o.expected_revision ?? 0),
    });
  }

  /** bpf_program__attach_tcx with expected_attach_type = target: the link fd, or -errno. */
  link(prog: string, target: number, o: Opts = {}, ifindex = LO): number {
    if (ifindex === 0) return E('EINVAL'); // libbpf refuses before the syscall
    if (o.relative_fd && o.relative_id) return E('EINVAL');
    return this.sys.linkCreate({
      progFd: this.fd[prog]!,
      targetIfindex: ifindex,
      attachType: target,
      flags: (o.flags ?? 0) | (o.relative_id ? BPF_F_ID : 0),
      relativeFdOrId: o.relative_id || o.relative_fd || 0,
      expectedRevision: BigInt(o.expected_revision ?? 0),
    });
  }

  linkId(linkFd: number): number {
    return this.sys.linkOf(linkFd)!.id;
  }

  /** assert_mprog_count's legacy bpf_prog_query: ret 0 and the count. */
  count(target: number, ifindex = LO): number {
    const q = this.sys.progQuery({ targetIfindex: ifindex, attachType: target, count: 0, withIds: false });
    if (q.ret !== 0) throw new Error(`query failed ${q.ret}`);
    return q.out!.count;
  }

  query(target: number, count = 10, ifindex = LO) {
    return this.sys.progQuery({ targetIfindex: ifindex, attachType: target, count });
  }

  /** ping -c1 127.0.0.1: lo egress then lo ingress; returns the programs that ran (seen flags). */
  ping(): Set<string> {
    this.seen.clear();
    for (const at of [BPF_TCX_EGRESS, BPF_TCX_INGRESS] as const) {
      const entry = this.sys.tcx.device(LO)?.entry(at);
      let verdict = tcxRun(entry ? entry.bundle.items : [], FRAME);
      const cls = this.classic.get(at);
      if (verdict === TCX_NEXT && cls && this.sys.tcx.device(LO)?.qdisc) {
        this.seen.add(cls);
        verdict = RETS[cls]!;
      }
      if (verdict === TCX_DROP || verdict === TCX_REDIRECT) break;
    }
    return new Set(this.seen);
  }
}
