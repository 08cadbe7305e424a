// steps.ts: the scenario's control-plane operations, in order, through the tcx API (attach,
// links, link update/detach, detach) and tc classic (cls_bpf filters). Each step ends in "ok"
// or an errno name; a step whose result differs from its `expect` (default "ok") is recorded as
// failed, and the runner decides whether that is an expectation failure or an error.
import { SimError } from '../errors.js';
import { parseClassid } from '../tc/action.js';
import { after, before, head, replace, tail, type Anchor, type Link, type Program as TcxProgram } from '../tcx/index.js';
import type { Program } from '../sim/program.js';
import type { Machine } from './machine.js';
import { bare } from './located.js';
import type { ScenarioAnchor, ScenarioStep } from './schema.js';
import { normalizeDevPath, type Where } from './topology.js';

export interface StepResult {
  readonly index: number;
  /** `file:line:col` of the step. */
  readonly at: string;
  readonly op: string;
  /** One line describing the operation, e.g. `tcx attach init/eth0 ingress count (head)`. */
  readonly what: string;
  readonly expect: string;
  readonly result: string;
  /** The error message when the step failed. */
  readonly message?: string;
  readonly ok: boolean;
}

export interface ControlPlane {
  readonly machine: Machine;
  readonly programs: ReadonlyMap<string, Program>;
  readonly links: Map<string, Link>;
}

/** Runs one step; never throws for a refused operation (the errno is the result). */
export function runStep(cp: ControlPlane, step: ScenarioStep, index: number, where: Where): StepResult {
  const op = Object.keys(step).find((k) => k !== 'expect')!;
  const want = step.expect ?? 'ok';
  const what = describeStep(step);
  let result = 'ok';
  let message: string | undefined;
  try {
    apply(cp, step);
  } catch (e) {
    if (!(e instanceof SimError)) throw e;
    result = e.code;
    message = bare(e);
  } finally {
    cp.machine.bridge.changed();
  }
  return { index, at: where(['steps', index]), op, what, expect: want, result, message, ok: result === want };
}

function apply(cp: ControlPlane, step: ScenarioStep): void {
  const m = cp.machine;
  const tcx = m.bridge.tcx;
  const prog = (name: string): Program => {
    const p = cp.programs.get(name);
    if (!p) throw new SimError('ENOENT', `no program ${name} (the scenario's programs are: ${[...cp.programs.keys()].join(', ')})`);
    return p;
  };
  const handle = (name: string): TcxProgram => m.bridge.program(prog(name));
  const link = (name: string): Link => {
    const l = cp.links.get(name);
    if (!l) throw new SimError('ENOENT', `no link ${name} (links so far: ${[...cp.links.keys()].join(', ') || 'none'})`);
    return l;
  };
  const anchorOf = (a: ScenarioAnchor | undefined): Anchor | undefined => {
    if (a === undefined) return undefined;
    if (a === 'head') return head();
    if (a === 'tail') return tail();
    const target = (ref: string) => (ref.startsWith('link:') ? link(ref.slice(5)) : handle(ref));
    if ('before' in a) return before(target(a.before));
    if ('after' in a) return after(target(a.after));
    return replace(handle(a.replace));
  };
  const dev = (path: string): string => {
    const d = m.device(normalizeDevPath(path));
    return m.bridge.device(d);
  };
  if ('tcx' in step) {
    const s = step.tcx;
    tcx.attachProgram({ dev: dev(s.dev), hook: s.hook, prog: handle(s.prog), anchor: anchorOf(s.anchor), expectedRevision: s.expected_revision });
    return;
  }
  if ('link' in step) {
    const s = step.link;
    if (cp.links.has(s.name)) throw new SimError('EEXIST', `a link named ${s.name} already exists`);
    const l = tcx.attachTcx({ dev: dev(s.dev), hook: s.hook, prog: handle(s.prog), anchor: anchorOf(s.anchor), expectedRevision: s.expected_revision });
    cp.links.set(s.name, l);
    return;
  }
  if ('link_update' in step) {
    const s = step.link_update;
    link(s.link).update(handle(s.prog), { old: s.old ? handle(s.old) : undefined });
    return;
  }
  if ('link_detach' in step) {
    link(step.link_detach.link).detach();
    return;
  }
  if ('detach' in step) {
    const s = step.detach;
    tcx.detachProgram({ dev: dev(s.dev), hook: s.hook, prog: s.prog ? handle(s.prog) : undefined, anchor: anchorOf(s.anchor), expectedRevision: s.expected_revision });
    return;
  }
  const s = step.filter;
  const d = m.device(normalizeDevPath(s.dev));
  let classid: number | undefined;
  if (s.classid !== undefined) {
    classid = parseClassid(s.classid);
    if (classid === undefined) throw new SimError('EINVAL', `classid "${s.classid}" is not major:minor (hex)`);
  }
  if (!m.classic.qdisc(d)) {
    throw new SimError('EINVAL', `tc filter add dev ${d.path} ${s.hook}: no clsact qdisc on the device (add \`clsact: true\` to the device)`);
  }
  const p = prog(s.prog);
  m.classic.addFilter(d, s.hook, { prog: m.hookProgram(p), pref: s.prio, handle: s.handle, directAction: s.da ?? true, classid, name: s.prog });
}

const place = (a: ScenarioAnchor | undefined): string => (a === undefined ? '' : typeof a === 'string' ? ` (${a})` : ` (${Object.keys(a)[0]} ${Object.values(a)[0]})`);
const rev = (r: number | undefined): string => (r === undefined ? '' : ` expected_revision ${r}`);

/** One line naming the operation, e.g. `tcx attach init/eth0 ingress count (head)`. */
export function describeStep(step: ScenarioStep): string {
  if ('tcx' in step) {
    const s = step.tcx;
    return `tcx attach ${normalizeDevPath(s.dev)} ${s.hook} ${s.prog}${place(s.anchor)}${rev(s.expected_revision)}`;
  }
  if ('link' in step) {
    const s = step.link;
    return `tcx link ${s.name}: ${normalizeDevPath(s.dev)} ${s.hook} ${s.prog}${place(s.anchor)}${rev(s.expected_revision)}`;
  }
  if ('link_update' in step) {
    const s = step.link_update;
    return `link update ${s.link} → ${s.prog}${s.old ? ` (old ${s.old})` : ''}`;
  }
  if ('link_detach' in step) return `link detach ${step.link_detach.link}`;
  if ('detach' in step) {
    const s = step.detach;
    return `tcx detach ${normalizeDevPath(s.dev)} ${s.hook}${s.prog ? ` ${s.prog}` : ''}${place(s.anchor)}${rev(s.expected_revision)}`;
  }
  const s = step.filter;
  return `tc filter ${normalizeDevPath(s.dev)} ${s.hook} ${s.prog}${s.prio ? ` pref ${s.prio}` : ''}${s.da === false ? '' : ' da'}`;
}
