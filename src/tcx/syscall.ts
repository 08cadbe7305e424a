// syscall.ts: the bpf(2)-shaped layer: fds, ids, attach types 46/47, BPF_F_* bits, and results
// as the kernel returns them (>= 0, or a negative errno; never a thrown SimError). Argument
// checks follow kernel/bpf/syscall.c in order (spec §1.8). `lastError` keeps the message.
import { SimError } from '../errors.js';
import { BPF_F_QUERY_EFFECTIVE, BPF_F_REPLACE, BPF_MPROG_FLAGS_MASK } from '../mprog/flags.js';
import { BpfFs } from './bpffs.js';
import { FdTable, type FdObject } from './fdtable.js';
import { CyclicIdr } from './idr.js';
import { TcxLink } from './link.js';
import { BpfProgram, type ProgramSpec } from './program.js';
import { Tcx, type TcxObjects } from './tcx.js';
import { BPF_LINK_TYPE_TCX, isTcxAttachType, type TcxAttachType } from './uapi.js';

/** BPF_PROG_ATTACH attr (union bpf_attr, prog attach part). */
export interface ProgAttachAttr {
  readonly targetIfindex: number;
  readonly attachBpfFd: number;
  readonly attachType: number;
  readonly attachFlags?: number;
  readonly replaceBpfFd?: number;
  readonly relativeFdOrId?: number;
  /** u64; 0 = no check. */
  readonly expectedRevision?: bigint;
}

/** BPF_PROG_DETACH attr; attachBpfFd 0 = detach by position. */
export type ProgDetachAttr = Omit<ProgAttachAttr, 'replaceBpfFd' | 'attachBpfFd'> & { readonly attachBpfFd?: number };

/** BPF_PROG_QUERY attr. `count` is the capacity of the id arrays; `withIds: false` = prog_ids NULL. */
export interface ProgQueryAttr {
  readonly targetIfindex: number;
  readonly attachType: number;
  readonly queryFlags?: number;
  readonly attachFlags?: number;
  readonly count: number;
  readonly withIds?: boolean;
}

/** What BPF_PROG_QUERY writes back (also on ENOSPC). */
export interface ProgQueryOut {
  readonly count: number;
  readonly revision: number;
  readonly attachFlags: number;
  readonly progIds: number[];
  readonly linkIds: number[];
  readonly progAttachFlags: number[];
  readonly linkAttachFlags: number[];
}

export interface LinkCreateAttr {
  readonly progFd: number;
  readonly targetIfindex: number;
  readonly attachType: number;
  readonly flags?: number;
  readonly relativeFdOrId?: number;
  readonly expectedRevision?: bigint;
}

export interface LinkUpdateAttr {
  readonly linkFd: number;
  readonly newProgFd: number;
  readonly flags?: number;
  readonly oldProgFd?: number;
}

/** struct bpf_link_info for a tcx link. */
export interface TcxLinkInfo {
  readonly type: number;
  readonly id: number;
  readonly progId: number;
  /** 0 once the link is detached or its device is gone. */
  readonly ifindex: number;
  readonly attachType: number;
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

/** Every tcx command takes BPF_TCX_INGRESS or BPF_TCX_EGRESS; anything else is EINVAL. */
function tcxAttachType(cmd: string, at: number): TcxAttachType {
  if (!isTcxAttachType(at)) throw new SimError('EINVAL', `${cmd}: attach type ${at} is not tcx (46/47)`);
  return at;
}

/** BPF_PROG_ATTACH and BPF_PROG_DETACH: a tcx attach type, and only the mprog BPF_F_* bits. */
function mprogAttachType(cmd: string, attachType: number, flags: number): TcxAttachType {
  const at = tcxAttachType(cmd, attachType);
  if (flags & ~BPF_MPROG_FLAGS_MASK) throw new SimError('EINVAL', `${cmd}: flags ${hex(flags)} outside ${hex(BPF_MPROG_FLAGS_MASK)}`);
  return at;
}

export class BpfSys {
  readonly tcx = new Tcx();
  readonly fds = new FdTable();
  readonly bpffs = new BpfFs();
  private readonly progIdr = new CyclicIdr<BpfProgram>();
  private readonly linkIdr = new CyclicIdr<TcxLink>();
  /** The error behind the last negative result, for messages. */
  lastError: SimError | undefined;

  /** Lookups in the kernel's terms, shared with tcx and mprog. */
  readonly objs: TcxObjects = {
    progByFd: (fd) => this.progGet(fd),
    progGetType: (fd, type) => {
      const p = this.progGet(fd);
      if (p.type !== type) throw new SimError('EINVAL', `fd ${fd} is a ${p.type} program, not ${type}`);
      return p;
    },
    progById: (id) => {
      const p = this.progIdr.get(id);
      if (!p) throw new SimError('ENOENT', `no program with id ${id >>> 0}`);
      return p;
    },
    linkByFd: (fd) => this.linkGet(fd),
    linkById: (id) => {
      const l = this.linkIdr.get(id);
      if (!l) throw new SimError('ENOENT', `no link with id ${id >>> 0}`);
      return l;
    },
  };

  private file(fd: number): FdObject {
    const f = this.fds.get(fd);
    if (!f) throw new SimError('EBADF', `fd ${fd} is not open`);
    return f;
  }

  private progGet(fd: number): BpfProgram {
    const f = this.file(fd);
    if (f.kind !== 'prog') throw new SimError('EINVAL', `fd ${fd} is not a bpf program`);
    return f.prog;
  }

  private linkGet(fd: number): TcxLink {
    const f = this.file(fd);
    if (f.kind !== 'link') throw new SimError('EINVAL', `fd ${fd} is not a bpf link`);
    return f.link;
  }

  /** Runs one syscall body: a SimError becomes -errno (kept in lastError); bugs still throw. */
  private sys(body: () => number): number {
    try {
      this.lastError = undefined;
      return body();
    } catch (e) {
      if (!(e instanceof SimError)) throw e;
      this.lastError = e;
      return -e.errno;
    }
  }

  /** BPF_PROG_LOAD of an opaque program: returns its fd. */
  progLoad(spec: ProgramSpec): number {
    const make = (id: number): BpfProgram =>
      new BpfProgram(id, spec.type, spec.name ?? '', (f) => spec.run(f), (p) => this.progIdr.remove(p.id));
    const prog = spec.id === undefined ? this.progIdr.alloc(make) : this.progIdr.allocAt(spec.id, make);
    return this.fds.install({ kind: 'prog', prog });
  }

  /** The program behind an fd (for callers that need its id), or undefined. */
  progOf(fd: number): BpfProgram | undefined {
    const f = this.fds.get(fd);
    return f?.kind === 'prog' ? f.prog : undefined;
  }

  linkOf(fd: number): TcxLink | undefined {
    const f = this.fds.get(fd);
    return f?.kind === 'link' ? f.link : undefined;
  }

  progAttach(attr: ProgAttachAttr): number {
    return this.sys(() => {
      const flags = attr.attachFlags ?? 0;
      const at = mprogAttachType('prog attach', attr.attachType, flags);
      const prog = this.objs.progGetType(attr.attachBpfFd, 'sched_cls');
      this.tcx.progAttach(
        { ifindex: attr.targetIfindex, attachType: at, flags, idOrFd: attr.relativeFdOrId ?? 0, revision: attr.expectedRevision ?? 0n },
        prog,
        attr.replaceBpfFd ?? 0,
        this.objs,
      );
      return 0;
    });
  }

  progDetach(attr: ProgDetachAttr): number {
    return this.sys(() => {
      const flags = attr.attachFlags ?? 0;
      const at = mprogAttachType('prog detach', attr.attachType, flags);
      const fd = attr.attachBpfFd ?? 0;
      const prog = fd !== 0 ? this.objs.progGetType(fd, 'sched_cls') : null;
      this.tcx.progDetach(
        { ifindex: attr.targetIfindex, attachType: at, flags, idOrFd: attr.relativeFdOrId ?? 0, revision: attr.expectedRevision ?? 0n },
        prog,
        this.objs,
      );
      return 0;
    });
  }

  /** BPF_PROG_QUERY: `out` is set when the kernel writes results (ret 0 or -ENOSPC). */
  progQuery(attr: ProgQueryAttr): { ret: number; out?: ProgQueryOut } {
    let out: ProgQueryOut | undefined;
    const ret = this.sys(() => {
      const qf = attr.queryFlags ?? 0;
      if (qf & ~BPF_F_QUERY_EFFECTIVE) throw new SimError('EINVAL', `prog query: query_flags ${hex(qf)} unknown`);
      const at = tcxAttachType('prog query', attr.attachType);
      const capacity = attr.withIds === false ? 0 : attr.count;
      const q = this.tcx.query(attr.targetIfindex, at, qf, attr.attachFlags ?? 0, capacity);
      const n = q.items.length;
      out = {
        count: q.count,
        revision: q.revision,
        attachFlags: q.attachFlags,
        progIds: q.items.map((t) => t.prog.id),
        linkIds: q.items.map((t) => (t.link ? t.link.id : 0)),
        progAttachFlags: new Array<number>(n).fill(0),
        linkAttachFlags: new Array<number>(n).fill(0),
      };
      if (q.truncated) throw new SimError('ENOSPC', `prog query: ${q.count} programs, room for ${capacity}`);
      return 0;
    });
    return out ? { ret, out } : { ret };
  }

  /** BPF_LINK_CREATE for tcx: returns the new link's fd. */
  linkCreate(attr: LinkCreateAttr): number {
    return this.sys(() => {
      const prog = this.progGet(attr.progFd);
      const at = tcxAttachType('link create', attr.attachType);
      if (prog.type !== 'sched_cls') throw new SimError('EINVAL', `link create: program ${prog.id} is ${prog.type}, not sched_cls`);
      let link: TcxLink | undefined;
      try {
        this.tcx.linkAttach(
          { ifindex: attr.targetIfindex, attachType: at, flags: attr.flags ?? 0, idOrFd: attr.relativeFdOrId ?? 0, revision: attr.expectedRevision ?? 0n },
          prog,
          () => {
            // bpf_link_prime: the id is taken now; bpf_link_cleanup frees it on failure.
            link = this.linkIdr.alloc((id) => new TcxLink(id, prog, at));
            return link;
          },
          this.objs,
        );
      } catch (e) {
        if (link) this.linkIdr.remove(link.id);
        throw e;
      }
      const l = link!;
      prog.hold();
      l.refs = 1;
      return this.fds.install({ kind: 'link', link: l });
    });
  }

  linkUpdate(attr: LinkUpdateAttr): number {
    return this.sys(() => {
      const flags = attr.flags ?? 0;
      if (flags & ~BPF_F_REPLACE) throw new SimError('EINVAL', `link update: flags ${hex(flags)}, only BPF_F_REPLACE allowed`);
      const link = this.linkGet(attr.linkFd);
      const nprog = this.progGet(attr.newProgFd);
      const oldFd = attr.oldProgFd ?? 0;
      let oprog: BpfProgram | null = null;
      if (flags & BPF_F_REPLACE) oprog = this.progGet(oldFd);
      else if (oldFd !== 0) throw new SimError('EINVAL', 'link update: old_prog_fd without BPF_F_REPLACE');
      this.tcx.linkUpdate(link, nprog, oprog, this.objs);
      return 0;
    });
  }

  /** BPF_LINK_DETACH: 0 even when the link is already detached. */
  linkDetach(linkFd: number): number {
    return this.sys(() => {
      this.tcx.linkRelease(this.linkGet(linkFd), this.objs);
      return 0;
    });
  }

  /** BPF_OBJ_GET_INFO_BY_FD for a link. */
  linkInfo(linkFd: number): { ret: number; info?: TcxLinkInfo } {
    let info: TcxLinkInfo | undefined;
    const ret = this.sys(() => {
      const l = this.linkGet(linkFd);
      info = { type: BPF_LINK_TYPE_TCX, id: l.id, progId: l.prog.id, ifindex: l.ifindex ?? 0, attachType: l.attachType };
      return 0;
    });
    return info ? { ret, info } : { ret };
  }

  /** BPF_OBJ_PIN: bpf_fd_probe_obj gives EINVAL for any fd that is not a bpf object. */
  objPin(fd: number, path: string): number {
    return this.sys(() => {
      const f = this.fds.get(fd);
      if (!f || f.kind === 'other') throw new SimError('EINVAL', `obj pin ${path}: fd ${fd} is not a bpf object`);
      this.bpffs.pin(path, f);
      this.hold(f);
      return 0;
    });
  }

  /** BPF_OBJ_GET: a new fd for a pinned object. */
  objGet(path: string): number {
    return this.sys(() => {
      const f = this.bpffs.get(path);
      this.hold(f);
      return this.fds.install(f);
    });
  }

  /** unlink(2) on bpffs: drops the pin's reference. */
  unlink(path: string): number {
    return this.sys(() => {
      this.put(this.bpffs.unlink(path));
      return 0;
    });
  }

  /** close(2): the last reference to a link releases (detaches) it. */
  close(fd: number): number {
    return this.sys(() => {
      const f = this.fds.remove(fd);
      if (!f) throw new SimError('EBADF', `close: fd ${fd} is not open`);
      this.put(f);
      return 0;
    });
  }

  private hold(f: FdObject): void {
    if (f.kind === 'prog') f.prog.hold();
    else if (f.kind === 'link') f.link.refs++;
  }

  private put(f: FdObject): void {
    if (f.kind === 'prog') f.prog.put();
    else if (f.kind === 'link' && --f.link.refs === 0) {
      // bpf_link_free: id gone first, then tcx_link_release detaches, then the program ref drops.
      this.linkIdr.remove(f.link.id);
      this.tcx.linkRelease(f.link, this.objs);
      f.link.prog.put();
    }
  }
}
