// runner.ts: executes a parsed op file against the simulated bpf syscall layer, exactly as
// kernel_tcx.py `run` drives the kernel (names -> fds/ids, bad references -> unused fds/ids),
// and builds the `tcx-oracle-trace/1` trace: result, query/send output and both hooks' state.
import { errnoName } from '../../errors.js';
import { BPF_F_ID, BPF_F_LINK, BPF_F_REPLACE } from '../../mprog/flags.js';
import { tcxDelivers, tcxRun } from '../run.js';
import { BpfSys } from '../syscall.js';
import { BPF_TCX_EGRESS, BPF_TCX_INGRESS, type TcxHook } from '../uapi.js';
import { flagBits, type OpFile, type OpRecord } from './opfile.js';

export const TRACE_FORMAT = 'tcx-oracle-trace/1';

/** The values kernel_tcx.py sends for references that must fail (never open / never allocated). */
export const BAD_FD = 0x7ffffff0;
export const UNUSED_ID = 0xfffffff0;
export const MISSING_IFINDEX = 0x7fffff00;
/** Capacity the oracle uses for queries (QUERY_MAX). */
export const QUERY_MAX = 128;
const TEST_DEV = 'tcxo0';
const TEST_IFINDEX = 2;
const PIN_DIR = '/sys/fs/bpf/tcxsim';
const ETH_P_TEST = 0x88b5;
const U64_MAX = 0xffffffffffffffffn;
const HOOKS: Readonly<Record<TcxHook, number>> = { ingress: BPF_TCX_INGRESS, egress: BPF_TCX_EGRESS };

export type StepResult = 0 | string;
export interface ChainEntry {
  prog: string;
  link: string | null;
}
export interface HookState {
  revision: number;
  chain: ChainEntry[];
}
export interface QueryOutput {
  count: number;
  revision: number;
  progs: string[];
  links: (string | null)[];
  prog_attach_flags: number[];
  link_attach_flags: number[];
  attach_flags: number;
}
export interface TraceStep {
  i: number;
  op: OpRecord;
  result: StepResult;
  query?: QueryOutput | Record<string, never>;
  send?: { ran: string[]; delivered: boolean };
  state: Record<TcxHook, HookState>;
}
export interface Trace {
  format: string;
  meta: Record<string, unknown>;
  progs: Record<string, { type: string; ret: number }>;
  steps: TraceStep[];
}

interface Named {
  readonly kind: 'prog' | 'link';
  fd: number | null;
  id: number | null;
}

/** A test frame: broadcast destination, ethertype 0x88B5 (IEEE local experimental). */
function testFrame(): Uint8Array {
  const f = new Uint8Array(60);
  f.fill(0xff, 0, 6);
  f.set([0x02, 0, 0, 0, 0, 1], 6);
  f[12] = ETH_P_TEST >> 8;
  f[13] = ETH_P_TEST & 0xff;
  return f;
}

export class OpRunner {
  readonly sys = new BpfSys();
  private readonly objs = new Map<string, Named>();
  private readonly progById = new Map<number, string>();
  private readonly linkById = new Map<number, string>();
  private readonly log: string[] = [];
  private readonly frame = testFrame();

  constructor(private readonly file: OpFile) {
    this.sys.tcx.addDevice(TEST_IFINDEX, TEST_DEV);
    for (const [name, decl] of file.progs) {
      const log = this.log;
      const ret = decl.ret;
      const fd = this.sys.progLoad({
        type: decl.type,
        name,
        run: () => {
          log.push(name);
          return ret;
        },
      });
      const id = this.sys.progOf(fd)!.id;
      this.objs.set(name, { kind: 'prog', fd, id });
      this.progById.set(id, name);
    }
    for (const ln of file.linkNames) this.objs.set(ln, { kind: 'link', fd: null, id: null });
  }

  run(meta: Record<string, unknown> = { source: 'tcxsim' }): Trace {
    const steps: TraceStep[] = this.file.ops.map((op, i) => this.step(op, i));
    const progs: Trace['progs'] = {};
    for (const [n, d] of this.file.progs) progs[n] = { type: d.type, ret: d.ret };
    return { format: TRACE_FORMAT, meta, progs, steps };
  }

  // ---- references, as kernel_tcx.py Oracle.fd_ref / id_ref -------------------------------
  private fdRef(name: unknown): number {
    if (typeof name !== 'string') return BAD_FD;
    return this.objs.get(name)?.fd ?? BAD_FD;
  }

  private idRef(name: unknown, kind: 'prog' | 'link'): number {
    if (typeof name !== 'string') return UNUSED_ID;
    const o = this.objs.get(name);
    return o && o.kind === kind && o.id !== null ? o.id : UNUSED_ID;
  }

  private target(op: OpRecord): number {
    return op.dev === 'missing' ? MISSING_IFINDEX : TEST_IFINDEX;
  }

  private attachType(op: OpRecord): number {
    const h = op.hook;
    return typeof h === 'string' ? HOOKS[h as TcxHook] : (h as number);
  }

  private flagsAndRelative(op: OpRecord): { flags: number; rel: number } {
    let flags = flagBits((op.flags as unknown[] | undefined) ?? []);
    let rel = 0;
    const r = op.relative as Record<string, unknown> | null | undefined;
    if (r) {
      const kind = 'prog' in r ? 'prog' : 'link';
      if (kind === 'link') flags |= BPF_F_LINK;
      if (r.by === 'id') {
        flags |= BPF_F_ID;
        rel = this.idRef(r[kind], kind);
      } else rel = this.fdRef(r[kind]);
    }
    return { flags: flags >>> 0, rel };
  }

  private revisionNow(at: number): number {
    const q = this.sys.progQuery({ targetIfindex: TEST_IFINDEX, attachType: at, count: 0 });
    if (!q.out) throw new Error(`state query failed: ${errnoName(q.ret)}`);
    return q.out.revision;
  }

  private expectedRevision(op: OpRecord): bigint {
    const er = op.expected_revision ?? 0;
    if (typeof er === 'number') return er >= 2 ** 64 ? U64_MAX : BigInt(er); // 2^64-1 parses as 2^64
    const k = (er as string).slice('current'.length);
    const cur = BigInt(this.revisionNow(HOOKS[op.hook as TcxHook]));
    return BigInt.asUintN(64, cur + (k ? BigInt(k) : 0n));
  }

  // ---- state ---------------------------------------------------------------------------
  private hookState(at: number): HookState {
    const q = this.sys.progQuery({ targetIfindex: TEST_IFINDEX, attachType: at, count: QUERY_MAX });
    if (!q.out) throw new Error(`state query failed: ${errnoName(q.ret)}`);
    const { progIds, linkIds } = q.out;
    return {
      revision: q.out.revision,
      chain: progIds.map((pid, k) => ({ prog: this.progName(pid), link: this.linkName(linkIds[k]!) })),
    };
  }

  private progName(id: number): string {
    return this.progById.get(id) ?? `?prog${id}`;
  }

  private linkName(id: number): string | null {
    return id ? (this.linkById.get(id) ?? `?link${id}`) : null;
  }

  private step(op: OpRecord, i: number): TraceStep {
    const extra: Partial<TraceStep> = {};
    const r = this.execute(op, extra);
    return {
      i,
      op,
      result: r >= 0 ? 0 : errnoName(r),
      ...extra,
      state: { ingress: this.hookState(BPF_TCX_INGRESS), egress: this.hookState(BPF_TCX_EGRESS) },
    };
  }

  private execute(op: OpRecord, extra: Partial<TraceStep>): number {
    const sys = this.sys;
    switch (op.op) {
      case 'attach': {
        const at = this.attachType(op);
        const { flags, rel } = this.flagsAndRelative(op);
        const rev = this.expectedRevision(op);
        return sys.progAttach({
          targetIfindex: this.target(op),
          attachBpfFd: this.fdRef(op.prog),
          attachType: at,
          attachFlags: flags,
          replaceBpfFd: 'replace' in op ? this.fdRef(op.replace) : 0,
          relativeFdOrId: rel,
          expectedRevision: rev,
        });
      }
      case 'detach': {
        const at = this.attachType(op);
        const { flags, rel } = this.flagsAndRelative(op);
        const rev = this.expectedRevision(op);
        return sys.progDetach({
          targetIfindex: this.target(op),
          attachBpfFd: 'prog' in op ? this.fdRef(op.prog) : 0,
          attachType: at,
          attachFlags: flags,
          relativeFdOrId: rel,
          expectedRevision: rev,
        });
      }
      case 'link': {
        const at = this.attachType(op);
        const { flags, rel } = this.flagsAndRelative(op);
        const rev = this.expectedRevision(op);
        const fd = sys.linkCreate({
          progFd: this.fdRef(op.prog),
          targetIfindex: this.target(op),
          attachType: at,
          flags,
          relativeFdOrId: rel,
          expectedRevision: rev,
        });
        if (fd < 0) return fd;
        const o = this.objs.get(op.name as string)!;
        o.fd = fd;
        o.id = sys.linkOf(fd)!.id;
        this.linkById.set(o.id, op.name as string);
        return 0;
      }
      case 'link_update': {
        const flags = 'flags' in op ? flagBits(op.flags as unknown[]) : 'old' in op ? BPF_F_REPLACE : 0;
        return sys.linkUpdate({
          linkFd: this.fdRef(op.link),
          newProgFd: this.fdRef(op.prog),
          flags,
          oldProgFd: 'old' in op ? this.fdRef(op.old) : 0,
        });
      }
      case 'link_detach':
        return sys.linkDetach(this.fdRef(op.link));
      case 'link_close': {
        const o = this.objs.get(op.link as string)!;
        if (o.fd === null) return sys.close(BAD_FD);
        const r = sys.close(o.fd);
        o.fd = null;
        return r;
      }
      case 'link_pin':
        return sys.objPin(this.fdRef(op.link), `${PIN_DIR}/${op.link as string}`);
      case 'link_unpin':
        return sys.unlink(`${PIN_DIR}/${op.link as string}`);
      case 'link_get': {
        const fd = sys.objGet(`${PIN_DIR}/${op.link as string}`);
        if (fd < 0) return fd;
        const o = this.objs.get(op.link as string)!;
        if (o.fd !== null) sys.close(o.fd);
        o.fd = fd;
        return 0;
      }
      case 'query': {
        const q = sys.progQuery({
          targetIfindex: this.target(op),
          attachType: this.attachType(op),
          queryFlags: (op.query_flags as number | undefined) ?? 0,
          attachFlags: (op.attach_flags as number | undefined) ?? 0,
          count: (op.count as number | undefined) ?? QUERY_MAX,
        });
        extra.query = q.out
          ? {
              count: q.out.count,
              revision: q.out.revision,
              progs: q.out.progIds.map((id) => this.progName(id)),
              links: q.out.linkIds.map((id) => this.linkName(id)),
              prog_attach_flags: q.out.progAttachFlags,
              link_attach_flags: q.out.linkAttachFlags,
              attach_flags: q.out.attachFlags,
            }
          : {};
        return q.ret;
      }
      case 'send': {
        this.log.length = 0;
        const entry = sys.tcx.device(TEST_IFINDEX)?.entry(HOOKS[op.hook as TcxHook] as 46 | 47);
        const verdict = tcxRun(entry ? entry.bundle.items : [], this.frame);
        extra.send = { ran: this.log.slice(), delivered: tcxDelivers(verdict) };
        return 0;
      }
    }
  }
}
