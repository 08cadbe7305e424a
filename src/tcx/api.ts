// api.ts: the friendly layer over the bpf syscall layer, in the style of cilium/ebpf:
//   const sim = new TcxSim(); const veth0 = sim.addDevice('veth0');
//   const l = sim.attachTcx({ dev: 'veth0', hook: 'ingress', prog, anchor: before(p1) });
//   l.update(p2); l.detach(); sim.query('veth0', 'ingress');
// Refused operations throw SimError with the kernel's errno name.
import { SimError } from '../errors.js';
import { BPF_F_REPLACE } from '../mprog/flags.js';
import { encodeAnchor, type Anchor, type AnchorTarget } from './anchor.js';
import type { QdiscKind } from './device.js';
import type { ProgramSpec, ProgType, TcxProgram } from './program.js';
import { tcxRun } from './run.js';
import { BpfSys, type TcxLinkInfo } from './syscall.js';
import { attachTypeOf, BPF_TCX_INGRESS, type TcxHook } from './uapi.js';

export type DevRef = string | number;

export interface TcxAttachOptions {
  readonly dev: DevRef;
  readonly hook: TcxHook;
  readonly prog: Program;
  readonly anchor?: Anchor;
  /** 0 or absent = no check; otherwise ESTALE unless it equals the hook's revision. */
  readonly expectedRevision?: number | bigint;
}

export interface TcxDetachOptions {
  readonly dev: DevRef;
  readonly hook: TcxHook;
  /** Absent = detach by position (the anchor, or the last program). */
  readonly prog?: Program;
  readonly anchor?: Anchor;
  readonly expectedRevision?: number | bigint;
}

export interface AttachedProgram {
  readonly id: number;
  /** The owning link's id, or undefined for a program attached with attachProgram(). */
  readonly linkId: number | undefined;
}

export interface QueryResult {
  readonly revision: number;
  readonly programs: readonly AttachedProgram[];
}

/** A loaded program (holds an fd). */
export class Program implements TcxProgram, AnchorTarget {
  readonly kind = 'prog';
  constructor(
    private readonly sim: TcxSim,
    readonly fd: number,
    readonly id: number,
    readonly type: ProgType,
    readonly name: string,
    private readonly impl: ProgramSpec,
  ) {}

  run(frame: Uint8Array): number {
    return this.impl.run(frame);
  }

  /** Closes the fd; a program still attached somewhere stays loaded. */
  close(): void {
    this.sim.check(this.sim.sys.close(this.fd), `close program ${this.id}`);
  }
}

/** A tcx link (holds an fd). Closing the last fd of an unpinned link detaches it. */
export class Link implements AnchorTarget {
  readonly kind = 'link';
  constructor(
    private readonly sim: TcxSim,
    readonly fd: number,
    readonly id: number,
  ) {}

  /** BPF_LINK_UPDATE; with `old`, only if the link still runs `old` (else EPERM). */
  update(prog: Program, opts: { old?: Program } = {}): void {
    const r = this.sim.sys.linkUpdate({ linkFd: this.fd, newProgFd: prog.fd, flags: opts.old ? BPF_F_REPLACE : 0, oldProgFd: opts.old?.fd ?? 0 });
    this.sim.check(r, `link ${this.id} update`);
  }

  /** BPF_LINK_DETACH: the link stays open but owns no slot any more. */
  detach(): void {
    this.sim.check(this.sim.sys.linkDetach(this.fd), `link ${this.id} detach`);
  }

  pin(path: string): void {
    this.sim.check(this.sim.sys.objPin(this.fd, path), `link ${this.id} pin`);
  }

  close(): void {
    this.sim.check(this.sim.sys.close(this.fd), `link ${this.id} close`);
  }

  info(): TcxLinkInfo {
    const r = this.sim.sys.linkInfo(this.fd);
    this.sim.check(r.ret, `link ${this.id} info`);
    return r.info!;
  }
}

export class TcxSim {
  readonly sys = new BpfSys();
  private nextIfindex = 1;
  private readonly names = new Map<string, number>();

  /** Adds a device and returns its ifindex (1, 2, ... in order of creation). */
  addDevice(name: string): number {
    if (this.names.has(name)) throw new SimError('EEXIST', `device ${name} already exists`);
    const ifindex = this.nextIfindex++;
    this.sys.tcx.addDevice(ifindex, name);
    this.names.set(name, ifindex);
    return ifindex;
  }

  /** Unregisters a device: its links become defunct, its programs are detached, no revision bump. */
  removeDevice(dev: DevRef): void {
    const ifindex = this.ifindex(dev);
    this.sys.tcx.removeDevice(ifindex);
    for (const [n, i] of this.names) if (i === ifindex) this.names.delete(n);
  }

  addQdisc(dev: DevRef, kind: QdiscKind = 'clsact'): void {
    this.sys.tcx.addQdisc(this.ifindex(dev), kind);
  }

  deleteQdisc(dev: DevRef): void {
    this.sys.tcx.deleteQdisc(this.ifindex(dev));
  }

  ifindex(dev: DevRef): number {
    if (typeof dev === 'number') return dev;
    const i = this.names.get(dev);
    if (i === undefined) throw new SimError('ENODEV', `no device named ${dev}`);
    return i;
  }

  load(spec: ProgramSpec): Program {
    const fd = this.sys.progLoad(spec);
    const p = this.sys.progOf(fd)!;
    return new Program(this, fd, p.id, p.type, p.name, spec);
  }

  /** BPF_LINK_CREATE: attach through a link that other tools cannot detach or replace. */
  attachTcx(o: TcxAttachOptions): Link {
    const a = encodeAnchor(o.anchor);
    const fd = this.sys.linkCreate({
      progFd: o.prog.fd,
      targetIfindex: this.ifindex(o.dev),
      attachType: attachTypeOf(o.hook),
      flags: a.flags,
      relativeFdOrId: a.relative,
      expectedRevision: BigInt(o.expectedRevision ?? 0),
    });
    this.check(fd, `tcx link ${String(o.dev)}/${o.hook}`);
    return new Link(this, fd, this.sys.linkOf(fd)!.id);
  }

  /** BPF_PROG_ATTACH (no link): a replace() anchor swaps the program in place. */
  attachProgram(o: TcxAttachOptions): void {
    const a = encodeAnchor(o.anchor);
    const r = this.sys.progAttach({
      targetIfindex: this.ifindex(o.dev),
      attachBpfFd: o.prog.fd,
      attachType: attachTypeOf(o.hook),
      attachFlags: a.flags,
      replaceBpfFd: a.replaceFd,
      relativeFdOrId: o.anchor?.kind === 'replace' ? 0 : a.relative,
      expectedRevision: BigInt(o.expectedRevision ?? 0),
    });
    this.check(r, `tcx attach ${String(o.dev)}/${o.hook}`);
  }

  /** BPF_PROG_DETACH of a program attached with attachProgram(). */
  detachProgram(o: TcxDetachOptions): void {
    const a = encodeAnchor(o.anchor);
    const r = this.sys.progDetach({
      targetIfindex: this.ifindex(o.dev),
      attachBpfFd: o.prog?.fd ?? 0,
      attachType: attachTypeOf(o.hook),
      attachFlags: a.flags,
      relativeFdOrId: a.relative,
      expectedRevision: BigInt(o.expectedRevision ?? 0),
    });
    this.check(r, `tcx detach ${String(o.dev)}/${o.hook}`);
  }

  query(dev: DevRef, hook: TcxHook): QueryResult {
    const q = this.sys.progQuery({ targetIfindex: this.ifindex(dev), attachType: attachTypeOf(hook), count: 64 });
    this.check(q.ret, `tcx query ${String(dev)}/${hook}`);
    const out = q.out!;
    return { revision: out.revision, programs: out.progIds.map((id, i) => ({ id, linkId: out.linkIds[i] || undefined })) };
  }

  /** Opens a pinned link (BPF_OBJ_GET). */
  openPinnedLink(path: string): Link {
    const fd = this.sys.objGet(path);
    this.check(fd, `open pinned ${path}`);
    const l = this.sys.linkOf(fd);
    if (!l) throw new SimError('EINVAL', `${path} is not a link`);
    return new Link(this, fd, l.id);
  }

  unpin(path: string): void {
    this.check(this.sys.unlink(path), `unpin ${path}`);
  }

  /** Runs the hook's tcx chain on a frame; returns the mapped verdict (TCX_NEXT if no programs). */
  run(dev: DevRef, hook: TcxHook, frame: Uint8Array): number {
    const at = attachTypeOf(hook);
    const d = this.sys.tcx.device(this.ifindex(dev));
    const entry = d ? (at === BPF_TCX_INGRESS ? d.ingress : d.egress) : null;
    return tcxRun(entry ? entry.bundle.items : [], frame);
  }

  /** @internal turns a negative syscall result into the SimError behind it. */
  check(ret: number, what: string): void {
    if (ret >= 0) return;
    const e = this.sys.lastError;
    throw e ?? new SimError('EINVAL', `${what}: failed with ${ret}`);
  }
}
