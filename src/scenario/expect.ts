// expect.ts: evaluates a scenario's `expect` list after the run. Every expectation gives one
// result with the file position, what was expected in words, and what was found instead;
// nothing throws for a plain mismatch (a malformed expectation, e.g. an unknown map, does).
import { SimError } from '../errors.js';
import { hex } from '../bpf/maps/map.js';
import type { Link } from '../tcx/index.js';
import type { Captures } from './captures.js';
import { fieldEquals, frameField } from './fields.js';
import type { Machine } from './machine.js';
import { toBytes, type LoadedPrograms } from './programs.js';
import type { ExpectationResult } from './report.js';
import type { ScenarioExpectation } from './schema.js';
import { normalizeDevPath, type Where } from './topology.js';
import { canonicalVerdict } from './verdicts.js';

export interface ExpectContext {
  readonly m: Machine;
  readonly loaded: LoadedPrograms;
  readonly links: ReadonlyMap<string, Link>;
  readonly captures: Captures;
}

/** Tells the capture points which frames `packet:` expectations will look at (before traffic). */
export function wantFrames(list: readonly ScenarioExpectation[], captures: Captures): void {
  for (const e of list) {
    if ('packet' in e) captures.point(normalizeDevPath(e.packet.capture), e.packet.direction).wanted.add(e.packet.index);
  }
}

export function evaluate(list: readonly ScenarioExpectation[], ctx: ExpectContext, where: Where): ExpectationResult[] {
  return list.map((e, i) => {
    const at = where(['expect', i]);
    try {
      return { at, ...check(e, ctx) };
    } catch (err) {
      if (err instanceof SimError) return { at, text: JSON.stringify(e), ok: false, detail: err.message };
      throw err;
    }
  });
}

function counts(pairs: [string, number | undefined, number][]): { text: string; ok: boolean; detail?: string } {
  const asked = pairs.filter(([, want]) => want !== undefined);
  const text = asked.map(([n, want]) => `${n} ${want}`).join(', ');
  const bad = asked.filter(([, want, have]) => want !== have);
  return { text, ok: bad.length === 0, ...(bad.length ? { detail: bad.map(([n, , have]) => `${n} ${have}`).join(', ') } : {}) };
}

function check(e: ScenarioExpectation, ctx: ExpectContext): { text: string; ok: boolean; detail?: string } {
  const { m } = ctx;
  if ('device' in e) {
    const path = normalizeDevPath(e.device);
    const s = m.device(path).stats;
    const r = counts([
      ['rx', e.rx, s.rxPackets],
      ['tx', e.tx, s.txPackets],
      ['rx_dropped', e.rx_dropped, s.rxDropped],
      ['tx_dropped', e.tx_dropped, s.txDropped],
    ]);
    return { ...r, text: `device ${path}: ${r.text}`, ...(r.detail ? { detail: `device ${path}: ${r.detail}` } : {}) };
  }
  if ('capture' in e) {
    const path = normalizeDevPath(e.capture);
    m.device(path);
    const have = ctx.captures.point(path, e.direction).packets;
    return { text: `capture ${path} ${e.direction}: ${e.packets} packets`, ok: have === e.packets, detail: `${have} packets` };
  }
  if ('verdicts' in e) {
    const prog = ctx.loaded.programs.get(e.verdicts.prog);
    if (!prog) throw new SimError('ENOENT', `no program ${e.verdicts.prog}`);
    const have = m.verdicts.of(prog.id);
    const want: Record<string, number> = {};
    for (const [k, v] of Object.entries(e.verdicts.counts)) {
      const c = canonicalVerdict(k);
      if (!c) throw new SimError('EINVAL', `unknown verdict "${k}" (use ok, shot, redirect, unspec/next, pipe, stolen, queued, repeat, trap, fault)`);
      want[c] = v;
    }
    const bad = Object.entries(want).filter(([k, v]) => (have[k] ?? 0) !== v);
    return {
      text: `verdicts of ${e.verdicts.prog}: ${Object.entries(want).map(([k, v]) => `${k} ${v}`).join(', ')}`,
      ok: bad.length === 0,
      detail: `${e.verdicts.prog} returned ${Object.entries(have).map(([k, v]) => `${k} ${v}`).join(', ') || 'nothing (never ran)'}`,
    };
  }
  if ('drops' in e) {
    const acc = m.datapath.accounting;
    const reason = e.drops.reason;
    const have = reason === undefined ? acc.dropped : (acc.drops.get(reason as never) ?? 0);
    const all = [...acc.drops].map(([r, n]) => `${r} ${n}`).join(', ') || 'none';
    return { text: `drops${reason ? ` (${reason})` : ''}: ${e.drops.count}`, ok: have === e.drops.count, detail: `${have} (all drops: ${all})` };
  }
  if ('delivered' in e) {
    m.world.ns(e.delivered.ns);
    const have = m.datapath.accounting.deliveredByNs.get(e.delivered.ns) ?? 0;
    return { text: `delivered to netns ${e.delivered.ns}: ${e.delivered.count}`, ok: have === e.delivered.count, detail: `${have}` };
  }
  if ('map' in e) {
    const map = ctx.loaded.maps.get(e.map) ?? [...ctx.loaded.maps].find(([k]) => k.endsWith(`/${e.map}`))?.[1];
    if (!map) throw new SimError('ENOENT', `no map ${e.map} (have ${[...ctx.loaded.maps.keys()].join(', ')})`);
    if ('entries' in e) {
      const have = map.entries().length;
      return { text: `map ${e.map}: ${e.entries} entries`, ok: have === e.entries, detail: `${have} entries` };
    }
    const key = toBytes(e.key);
    const found = map.entries().find((x) => hex(x.key) === hex(key));
    if (e.value === null) return { text: `map ${e.map}[${hex(key)}] absent`, ok: !found, detail: found ? `present: ${hex(found.value)}` : undefined };
    const want = toBytes(e.value);
    // Per-CPU values: compare the first CPU's copy (value_size bytes), which single-CPU runs fill.
    const have = found ? found.value.subarray(0, map.percpu ? map.valueSize : found.value.length) : null;
    return { text: `map ${e.map}[${hex(key)}] = ${hex(want)}`, ok: !!have && hex(have) === hex(want), detail: have ? hex(have) : 'absent' };
  }
  if ('packet' in e) {
    const p = e.packet;
    const path = normalizeDevPath(p.capture);
    const point = ctx.captures.point(path, p.direction);
    const frame = point.kept.get(p.index);
    const text = `packet ${p.index} of ${path} ${p.direction}: ${p.field} = ${p.equals}`;
    if (!frame) return { text, ok: false, detail: `the capture has ${point.packets} packets` };
    const have = frameField(frame, p.field);
    return { text, ok: fieldEquals(have, p.equals), detail: have === undefined ? `the packet has no ${p.field.split('.')[0]} header` : `${p.field} = ${have}` };
  }
  if ('order' in e) {
    const o = e.order;
    const path = normalizeDevPath(o.dev);
    m.device(path);
    const q = m.bridge.tcx.query(path, o.hook);
    const names = q.programs.map((x) => ctx.loaded.names.get(x.id) ?? `prog ${x.id}`);
    const orderOk = names.length === o.progs.length && names.every((n, i) => n === o.progs[i]);
    const revOk = o.revision === undefined || o.revision === q.revision;
    return {
      text: `${path} ${o.hook}: [${o.progs.join(', ')}]${o.revision !== undefined ? ` revision ${o.revision}` : ''}`,
      ok: orderOk && revOk,
      detail: `[${names.join(', ')}] revision ${q.revision}`,
    };
  }
  const acc = m.datapath.accounting;
  const sum = acc.delivered + acc.wire + acc.dropped + acc.held;
  return {
    text: 'every packet accounted for (entered + created = delivered + wire + dropped + held)',
    ok: acc.balanced,
    detail: `${acc.entered} + ${acc.created} ≠ ${acc.delivered} + ${acc.wire} + ${acc.dropped} + ${acc.held} = ${sum}`,
  };
}
