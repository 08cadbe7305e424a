// opfile.ts: parses and checks an op file of the tcx oracle language (../shared/oracle/README.md,
// kernel_tcx.py normalize_input): programs, links, ops. Anything malformed is an EFORMAT
// SimError naming the file, the op index and what is wrong. Ops are kept verbatim for the trace.
import { SimError } from '../../errors.js';
import { BPF_F_AFTER, BPF_F_ALLOW_MULTI, BPF_F_ALLOW_OVERRIDE, BPF_F_BEFORE, BPF_F_ID, BPF_F_LINK, BPF_F_REPLACE } from '../../mprog/flags.js';
import type { ProgType } from '../program.js';
import { TCX_DROP, TCX_NEXT, TCX_PASS, TCX_REDIRECT } from '../uapi.js';

export type OpRecord = Readonly<Record<string, unknown>> & { readonly op: OpKind };
export type OpKind = keyof typeof OP_KEYS;

export interface ProgDecl {
  readonly type: ProgType;
  /** Return code as a signed 32-bit int. */
  readonly ret: number;
}

export interface OpFile {
  /** In declaration order, then auto-declared programs in order of first use. */
  readonly progs: Map<string, ProgDecl>;
  readonly ops: readonly OpRecord[];
  readonly linkNames: ReadonlySet<string>;
}

export const FLAG_NAMES: Readonly<Record<string, number>> = {
  allow_override: BPF_F_ALLOW_OVERRIDE,
  allow_multi: BPF_F_ALLOW_MULTI,
  replace: BPF_F_REPLACE,
  before: BPF_F_BEFORE,
  after: BPF_F_AFTER,
  id: BPF_F_ID,
  link: BPF_F_LINK,
};

const RET_NAMES: Readonly<Record<string, number>> = { next: TCX_NEXT, pass: TCX_PASS, drop: TCX_DROP, redirect: TCX_REDIRECT };
const PROG_TYPES: readonly ProgType[] = ['sched_cls', 'socket_filter'];
export const HOOK_NAMES = ['ingress', 'egress'] as const;
const NAME_RE = /^[A-Za-z0-9_.-]+$/;

const TARGET = ['op', 'hook', 'flags', 'relative', 'expected_revision', 'dev', 'comment'];
const OP_KEYS = {
  attach: [...TARGET, 'prog', 'replace'],
  detach: [...TARGET, 'prog'],
  link: [...TARGET, 'name', 'prog'],
  link_update: ['op', 'link', 'prog', 'old', 'flags', 'comment'],
  link_detach: ['op', 'link', 'comment'],
  link_close: ['op', 'link', 'comment'],
  link_pin: ['op', 'link', 'comment'],
  link_unpin: ['op', 'link', 'comment'],
  link_get: ['op', 'link', 'comment'],
  query: ['op', 'hook', 'count', 'query_flags', 'attach_flags', 'dev', 'comment'],
  send: ['op', 'hook', 'comment'],
} as const;
const REQUIRED: Readonly<Record<OpKind, readonly string[]>> = {
  attach: ['hook', 'prog'],
  detach: ['hook'],
  link: ['name', 'hook', 'prog'],
  link_update: ['link', 'prog'],
  link_detach: ['link'],
  link_close: ['link'],
  link_pin: ['link'],
  link_unpin: ['link'],
  link_get: ['link'],
  query: ['hook'],
  send: ['hook'],
};
const NAMED_LINK_OPS = new Set(['link_close', 'link_pin', 'link_unpin', 'link_get']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isU32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 32;

function parseRet(v: unknown, where: string): number {
  if (typeof v === 'string') {
    const r = RET_NAMES[v];
    if (r === undefined) throw new SimError('EFORMAT', `${where}: unknown return code name ${JSON.stringify(v)}`);
    return r;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 32) {
    throw new SimError('EFORMAT', `${where}: bad return code ${JSON.stringify(v)}`);
  }
  return v | 0;
}

/** The BPF_F_* bits of a `flags` list (names and raw integers OR-ed together). */
export function flagBits(list: readonly unknown[]): number {
  let bits = 0;
  for (const f of list) bits |= typeof f === 'string' ? FLAG_NAMES[f]! : (f as number);
  return bits >>> 0;
}

export function parseOpFile(doc: unknown, file: string): OpFile {
  const bad = (msg: string): never => {
    throw new SimError('EFORMAT', `${file}: ${msg}`);
  };
  let specsIn: unknown = {};
  let opsIn: unknown;
  if (Array.isArray(doc)) opsIn = doc;
  else if (isObject(doc)) {
    const extra = Object.keys(doc).filter((k) => !['progs', 'ops', 'comment'].includes(k));
    if (extra.length) bad(`unknown top-level keys ${extra.join(', ')}`);
    specsIn = doc.progs ?? {};
    opsIn = doc.ops ?? [];
  } else bad('input must be a list of ops or {"progs": ..., "ops": [...]}');
  if (!Array.isArray(opsIn)) bad('"ops" must be a list');
  if (!isObject(specsIn)) bad('"progs" must be an object');
  const ops = opsIn as unknown[];

  const progs = new Map<string, ProgDecl>();
  for (const [name, sp0] of Object.entries(specsIn as Record<string, unknown>)) {
    const sp = sp0 ?? {};
    if (!isObject(sp)) bad(`prog ${name}: must be an object`);
    const s = sp as Record<string, unknown>;
    const extra = Object.keys(s).filter((k) => k !== 'type' && k !== 'ret');
    if (extra.length) bad(`prog ${name}: unknown keys ${extra.join(', ')}`);
    const type = s.type ?? 'sched_cls';
    if (!PROG_TYPES.includes(type as ProgType)) bad(`prog ${name}: unknown type ${JSON.stringify(type)}`);
    progs.set(name, { type: type as ProgType, ret: parseRet(s.ret ?? 'next', `${file}: prog ${name}`) });
  }

  const linkNames = new Set<string>();
  ops.forEach((op, i) => {
    if (!isObject(op) || !('op' in op)) bad(`op ${i}: not an object with "op"`);
    const o = op as Record<string, unknown>;
    const kind = o.op as string;
    if (typeof kind !== 'string' || !(kind in OP_KEYS)) bad(`op ${i}: unknown op ${JSON.stringify(kind)}`);
    const allowed: readonly string[] = OP_KEYS[kind as OpKind];
    const extra = Object.keys(o).filter((k) => !allowed.includes(k));
    if (extra.length) bad(`op ${i} (${kind}): unknown keys ${extra.join(', ')}`);
    const missing = REQUIRED[kind as OpKind].filter((k) => !(k in o));
    if (missing.length) bad(`op ${i} (${kind}): missing keys ${missing.join(', ')}`);
    if (kind === 'link') {
      const name = o.name;
      if (typeof name !== 'string' || !NAME_RE.test(name)) bad(`op ${i} (link): bad link name ${JSON.stringify(name)}`);
      if (linkNames.has(name as string)) bad(`op ${i} (link): link name ${JSON.stringify(name)} reused`);
      if (progs.has(name as string)) bad(`op ${i} (link): name ${JSON.stringify(name)} used for a prog and a link`);
      linkNames.add(name as string);
    }
  });

  const progRef = (v: unknown, i: number): void => {
    if (v === null) return;
    if (typeof v !== 'string') bad(`op ${i}: object reference must be a name or null`);
    const n = v as string;
    if (!progs.has(n) && !linkNames.has(n)) progs.set(n, { type: 'sched_cls', ret: TCX_NEXT });
  };
  const linkRef = (v: unknown, i: number): void => {
    if (v === null) return;
    if (typeof v !== 'string') bad(`op ${i}: object reference must be a name or null`);
    if (!linkNames.has(v as string) && !progs.has(v as string)) bad(`op ${i}: ${JSON.stringify(v)} is neither a declared link nor a prog`);
  };

  ops.forEach((op0, i) => {
    const op = op0 as Record<string, unknown>;
    const kind = op.op as OpKind;
    const at = `op ${i} (${kind})`;
    for (const k of ['prog', 'replace', 'old']) if (k in op) progRef(op[k], i);
    const rel = op.relative;
    if (rel !== undefined && rel !== null) {
      const r = rel as Record<string, unknown>;
      const keys = isObject(rel) ? Object.keys(r) : [];
      const ok =
        isObject(rel) &&
        keys.every((k) => k === 'prog' || k === 'link' || k === 'by') &&
        ('prog' in r ? 1 : 0) + ('link' in r ? 1 : 0) === 1 &&
        (r.by === undefined || r.by === 'fd' || r.by === 'id');
      if (!ok) bad(`${at}: bad relative ${JSON.stringify(rel)} (want {"prog"|"link": NAME|null, "by"?: "fd"|"id"})`);
      if ('prog' in r) progRef(r.prog, i);
      else linkRef(r.link, i);
    }
    if ('link' in op && kind !== 'link') {
      if (NAMED_LINK_OPS.has(kind)) {
        if (typeof op.link !== 'string' || !linkNames.has(op.link)) bad(`${at}: needs a link name, got ${JSON.stringify(op.link)}`);
      } else linkRef(op.link, i);
    }
    const h = op.hook;
    if (h !== undefined && !(HOOK_NAMES.includes(h as 'ingress') || isU32(h))) bad(`${at}: bad hook ${JSON.stringify(h)}`);
    if (kind === 'send' && !HOOK_NAMES.includes(h as 'ingress')) bad(`${at}: send needs hook "ingress" or "egress"`);
    const er = op.expected_revision;
    if (typeof er === 'string') {
      if (!/^current([+-]\d+)?$/.test(er)) bad(`${at}: bad expected_revision ${JSON.stringify(er)}`);
      if (!HOOK_NAMES.includes(h as 'ingress')) bad(`${at}: symbolic expected_revision needs hook "ingress" or "egress"`);
    } else if (er !== undefined && !(typeof er === 'number' && Number.isInteger(er) && er >= 0 && er <= 2 ** 64)) {
      bad(`${at}: bad expected_revision ${JSON.stringify(er)}`);
    }
    if ('dev' in op && op.dev !== 'test' && op.dev !== 'missing') bad(`${at}: dev must be "test" or "missing"`);
    const fl = op.flags ?? [];
    if (!Array.isArray(fl)) bad(`${at}: flags must be a list`);
    for (const f of fl as unknown[]) {
      if (!((typeof f === 'string' && f in FLAG_NAMES) || isU32(f))) bad(`${at}: bad flag ${JSON.stringify(f)}`);
    }
    if (rel !== undefined && rel !== null && flagBits(fl as unknown[]) & (BPF_F_ID | BPF_F_LINK)) {
      bad(`${at}: "id"/"link" flag bits together with "relative" (use relative.by / relative.link)`);
    }
    for (const k of ['count', 'query_flags', 'attach_flags']) {
      if (k in op && !isU32(op[k])) bad(`${at}: ${k} must be an integer in [0, 2^32)`);
    }
  });
  return { progs, ops: ops as OpRecord[], linkNames };
}
