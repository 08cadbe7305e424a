// tcx.ts: binds mprog bundles to device hooks (kernel/bpf/tcx.c): lazy entry creation,
// revision commit after each change, entry free (revision back to 1) when the hook empties
// without a qdisc, link attach/update/release, and dev_tcx_uninstall on device removal.
// Callers pass resolved objects; fd/id resolution for relatives goes through `objs`.
import { SimError } from '../errors.js';
import { mprogAttach } from '../mprog/attach.js';
import { mprogDetach } from '../mprog/detach.js';
import { BPF_F_ID, BPF_F_REPLACE } from '../mprog/flags.js';
import { mprogQuery, type MprogQueryResult } from '../mprog/query.js';
import type { MprogLookup } from '../mprog/relative.js';
import { TcxDevice, type QdiscKind } from './device.js';
import { TcxEntry } from './entry.js';
import type { TcxLink } from './link.js';
import type { BpfProgram, ProgType } from './program.js';
import { BPF_TCX_EGRESS, BPF_TCX_INGRESS, hookName, type TcxAttachType } from './uapi.js';

/** Object lookups tcx needs from the bpf syscall layer (all throw SimError with the kernel errno). */
export interface TcxObjects extends MprogLookup<BpfProgram, TcxLink> {
  /** bpf_prog_get_type: bad fd -> EBADF; not a program or wrong type -> EINVAL. */
  progGetType(fd: number, type: ProgType): BpfProgram;
}

export interface TcxAttachRequest {
  readonly ifindex: number;
  readonly attachType: TcxAttachType;
  readonly flags: number;
  readonly idOrFd: number;
  readonly revision: bigint;
}

export class Tcx {
  private readonly devices = new Map<number, TcxDevice>();

  addDevice(ifindex: number, name: string): TcxDevice {
    if (this.devices.has(ifindex)) throw new SimError('EEXIST', `device ifindex ${ifindex} already exists`);
    const dev = new TcxDevice(ifindex, name);
    this.devices.set(ifindex, dev);
    return dev;
  }

  device(ifindex: number): TcxDevice | undefined {
    return this.devices.get(ifindex);
  }

  private dev(ifindex: number, what: string): TcxDevice {
    const dev = this.devices.get(ifindex);
    if (!dev) throw new SimError('ENODEV', `${what}: no device with ifindex ${ifindex}`);
    return dev;
  }

  private where(what: string, dev: TcxDevice, at: TcxAttachType): string {
    return `${what} ${dev.name}/${hookName(at)}`;
  }

  /** tcx_entry_fetch_or_create */
  private fetchOrCreate(dev: TcxDevice, at: TcxAttachType): { entry: TcxEntry; created: boolean } {
    const e = dev.entry(at);
    if (e) return { entry: e, created: false };
    const entry = new TcxEntry();
    dev.setEntry(at, entry);
    return { entry, created: true };
  }

  /** After a change: commit, and free the entry (hook pointer NULL) once it is inactive. */
  private commit(dev: TcxDevice, at: TcxAttachType, entry: TcxEntry): void {
    entry.bundle.commit();
    if (!entry.active) dev.setEntry(at, null);
  }

  private dropIfUnused(dev: TcxDevice, at: TcxAttachType, entry: TcxEntry): void {
    if (!entry.active && dev.entry(at) === entry) dev.setEntry(at, null);
  }

  /** tcx_prog_attach. On success the hook holds a new reference to `prog`. */
  progAttach(req: TcxAttachRequest, prog: BpfProgram, replaceFd: number, objs: TcxObjects): void {
    const dev = this.dev(req.ifindex, 'tcx attach');
    const where = this.where('tcx attach', dev, req.attachType);
    const oldProg = req.flags & BPF_F_REPLACE ? objs.progGetType(replaceFd, 'sched_cls') : null;
    const { entry, created } = this.fetchOrCreate(dev, req.attachType);
    let replaced;
    try {
      replaced = mprogAttach(
        entry.bundle,
        { prog, link: null, oldProg, flags: req.flags, idOrFd: req.idOrFd, revision: req.revision, where },
        objs,
      );
    } catch (e) {
      if (created) this.dropIfUnused(dev, req.attachType, entry);
      throw e;
    }
    prog.hold();
    this.commit(dev, req.attachType, entry);
    replaced?.prog.put();
  }

  /** tcx_prog_detach. `prog` null = pick the victim by position. */
  progDetach(req: TcxAttachRequest, prog: BpfProgram | null, objs: TcxObjects): void {
    const dev = this.dev(req.ifindex, 'tcx detach');
    const where = this.where('tcx detach', dev, req.attachType);
    const entry = dev.entry(req.attachType);
    if (!entry) throw new SimError('ENOENT', `${where}: hook has no programs`);
    const victim = mprogDetach(
      entry.bundle,
      { prog, link: null, flags: req.flags, idOrFd: req.idOrFd, revision: req.revision, where },
      objs,
    );
    this.commit(dev, req.attachType, entry);
    victim.prog.put();
  }

  /** tcx_prog_query */
  query(
    ifindex: number,
    at: TcxAttachType,
    queryFlags: number,
    attachFlags: number,
    capacity: number,
  ): MprogQueryResult<BpfProgram, TcxLink> {
    const dev = this.dev(ifindex, 'tcx query');
    const entry = dev.entry(at);
    return mprogQuery(entry ? entry.bundle : null, { queryFlags, attachFlags, capacity, where: this.where('tcx query', dev, at) });
  }

  /**
   * tcx_link_attach. `makeLink` runs after the device check (bpf_link_prime: the link id is
   * allocated here, so a later failure still uses up an id). On success the link is attached.
   */
  linkAttach(req: TcxAttachRequest, prog: BpfProgram, makeLink: () => TcxLink, objs: TcxObjects): TcxLink {
    const dev = this.dev(req.ifindex, 'tcx link create');
    const where = this.where('tcx link create', dev, req.attachType);
    const link = makeLink();
    const { entry, created } = this.fetchOrCreate(dev, req.attachType);
    try {
      mprogAttach(
        entry.bundle,
        { prog, link, oldProg: null, flags: req.flags, idOrFd: req.idOrFd, revision: req.revision, where },
        objs,
      );
    } catch (e) {
      if (created) this.dropIfUnused(dev, req.attachType, entry);
      throw e;
    }
    this.commit(dev, req.attachType, entry);
    link.ifindex = dev.ifindex;
    return link;
  }

  /**
   * tcx_link_update: swap the link's program in place. `oldProg` (BPF_F_REPLACE) must be the
   * current one (EPERM); the same program again succeeds without a revision bump.
   */
  linkUpdate(link: TcxLink, nprog: BpfProgram, oldProg: BpfProgram | null, objs: TcxObjects): void {
    const what = `tcx link update (link ${link.id})`;
    if (link.ifindex === null) throw new SimError('ENOLINK', `${what}: link is detached`);
    if (oldProg && oldProg !== link.prog) {
      throw new SimError('EPERM', `${what}: old program ${oldProg.id} is not the link's program ${link.prog.id}`);
    }
    if (nprog === link.prog) return;
    const dev = this.dev(link.ifindex, what);
    const where = this.where('tcx link update', dev, link.attachType);
    const entry = dev.entry(link.attachType);
    if (!entry) throw new SimError('ENOENT', `${where}: hook has no entry`);
    // The kernel reuses bpf_mprog_attach with REPLACE|ID relative to the link's current program.
    mprogAttach(
      entry.bundle,
      { prog: nprog, link, oldProg: link.prog, flags: BPF_F_REPLACE | BPF_F_ID, idOrFd: link.prog.id, revision: 0n, where },
      objs,
    );
    this.commit(dev, link.attachType, entry);
    const old = link.prog;
    nprog.hold();
    link.prog = nprog;
    old.put();
  }

  /** tcx_link_release (also BPF_LINK_DETACH): remove the link's slot if still attached. */
  linkRelease(link: TcxLink, objs: TcxObjects): void {
    if (link.ifindex === null) return;
    const dev = this.dev(link.ifindex, `tcx link release (link ${link.id})`);
    const where = this.where('tcx link release', dev, link.attachType);
    const entry = dev.entry(link.attachType);
    if (!entry) throw new Error(`${where}: attached link without an entry`);
    mprogDetach(entry.bundle, { prog: link.prog, link, flags: 0, idOrFd: 0, revision: 0n, where }, objs);
    this.commit(dev, link.attachType, entry);
    link.ifindex = null;
  }

  /** qdisc_create of clsact (both hooks) or ingress (ingress hook): entry fetch-or-create, miniq_active++. */
  addQdisc(ifindex: number, kind: QdiscKind): void {
    const dev = this.dev(ifindex, `qdisc add ${kind}`);
    if (dev.qdisc) throw new SimError('EEXIST', `qdisc add ${kind} ${dev.name}: ${dev.qdisc} already present`);
    dev.qdisc = kind;
    for (const at of qdiscHooks(kind)) this.fetchOrCreate(dev, at).entry.miniqActive++;
  }

  /** qdisc destroy: miniq_active--, entry freed if it has no programs left. */
  deleteQdisc(ifindex: number): void {
    const dev = this.dev(ifindex, 'qdisc del');
    const kind = dev.qdisc;
    if (!kind) throw new SimError('ENOENT', `qdisc del ${dev.name}: no clsact/ingress qdisc`);
    dev.qdisc = null;
    for (const at of qdiscHooks(kind)) {
      const entry = dev.entry(at);
      if (!entry) continue;
      entry.miniqActive--;
      this.dropIfUnused(dev, at, entry);
    }
  }

  /**
   * Device unregister: qdiscs go first (dev_shutdown), then dev_tcx_uninstall: links become
   * defunct (ifindex null), opts programs lose their hook reference, no revision commit.
   */
  removeDevice(ifindex: number): void {
    const dev = this.dev(ifindex, 'device remove');
    if (dev.qdisc) this.deleteQdisc(ifindex);
    for (const at of [BPF_TCX_INGRESS, BPF_TCX_EGRESS] as const) {
      const entry = dev.entry(at);
      if (!entry) continue;
      const old = entry.bundle.clearAll();
      if (!entry.active) dev.setEntry(at, null);
      for (const t of old) {
        if (t.link) t.link.ifindex = null;
        else t.prog.put();
      }
    }
    this.devices.delete(ifindex);
  }
}

function qdiscHooks(kind: QdiscKind): readonly TcxAttachType[] {
  return kind === 'clsact' ? [BPF_TCX_INGRESS, BPF_TCX_EGRESS] : [BPF_TCX_INGRESS];
}
