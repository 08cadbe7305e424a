// report.ts: the JSON report of a run (report.json in the output folder, `tcxsim run --json`):
// device counters, capture points, verdicts per program, accounting totals (which must add up),
// drops by reason, the final tcx attach order and revision per hook, cls_bpf filters, map
// dumps in bpftool's shape, trace_pipe lines, events, control-plane steps and expectations.
import { dumpMap, type BpftoolEntry } from '../bpf/maps/dump.js';
import { eventToJson, type EventRecord, type EventRecordJson } from '../bpf/trace/event-stream.js';
import { DROP_REASONS } from '../netdev/datapath/drop.js';
import { formatMac, formatPrefix } from '../netdev/addr.js';
import type { Hook } from '../netdev/datapath/hooks.js';
import type { Link } from '../tcx/index.js';
import type { Captures } from './captures.js';
import type { Machine } from './machine.js';
import type { LoadedPrograms } from './programs.js';
import type { StepResult } from './steps.js';
import { nsToSeconds, type TrafficTotals } from './traffic.js';

export interface ExpectationResult {
  readonly at: string;
  /** What was expected, in words. */
  readonly text: string;
  readonly ok: boolean;
  /** What was found instead (failures). */
  readonly detail?: string;
}

export interface HookReport {
  dev: string;
  ifindex: number;
  hook: Hook;
  revision: number;
  programs: { name: string; id: number; link?: string; linkId?: number }[];
  filters: string[];
}

export interface ScenarioReport {
  format: 'tcxsim-report/1';
  scenario: string;
  file: string;
  status: 'passed' | 'failed' | 'error';
  error?: string;
  traffic: { packets: number; bytes: number; seconds: number };
  devices: {
    dev: string;
    ifindex: number;
    kind: string;
    mac: string;
    up: boolean;
    addresses: string[];
    rx_packets: number;
    rx_bytes: number;
    tx_packets: number;
    tx_bytes: number;
    rx_dropped: number;
    tx_dropped: number;
  }[];
  captures: { dev: string; direction: 'rx' | 'tx'; packets: number; bytes: number; file?: string }[];
  verdicts: Record<string, Record<string, number>>;
  programs: { name: string; id: number; runs: number; insns: number }[];
  accounting: { entered: number; created: number; delivered: number; wire: number; dropped: number; held: number; in_flight: number; balanced: boolean };
  drops: { reason: string; kernel_reason: string; count: number }[];
  delivered: Record<string, number>;
  attachments: HookReport[];
  maps: Record<string, { id: number; type: string; entries: number; dump: BpftoolEntry[] }>;
  trace_pipe: string[];
  events: EventRecordJson[];
  steps: StepResult[];
  expectations: ExpectationResult[];
  files: string[];
}

/** Map dumps longer than this are cut in the report (the entry count stays exact). */
export const MAX_DUMP_ENTRIES = 10_000;

export function hooksOf(m: Machine, names: ReadonlyMap<number, string>, links: ReadonlyMap<string, Link>): HookReport[] {
  const linkNames = new Map<number, string>();
  for (const [n, l] of links) linkNames.set(l.id, n);
  const out: HookReport[] = [];
  for (const dev of m.devices()) {
    for (const hook of ['ingress', 'egress'] as const) {
      const q = m.bridge.tcx.query(dev.path, hook);
      const filters = m.classic.showFilters(dev, hook);
      if (q.revision <= 1 && q.programs.length === 0 && filters.length === 0) continue;
      out.push({
        dev: dev.path,
        ifindex: dev.ifindex,
        hook,
        revision: q.revision,
        programs: q.programs.map((p) => ({
          name: names.get(p.id) ?? `prog ${p.id}`,
          id: p.id,
          ...(p.linkId !== undefined ? { link: linkNames.get(p.linkId) ?? `link ${p.linkId}`, linkId: p.linkId } : {}),
        })),
        filters,
      });
    }
  }
  return out;
}

export function buildReport(a: {
  name: string;
  file: string;
  m: Machine;
  loaded: LoadedPrograms;
  links: ReadonlyMap<string, Link>;
  captures: Captures;
  captureFiles: ReadonlyMap<string, string>;
  totals: TrafficTotals;
  steps: StepResult[];
  expectations: ExpectationResult[];
  error?: string;
  files: string[];
}): ScenarioReport {
  const { m, loaded } = a;
  const acc = m.datapath.accounting;
  const verdicts: Record<string, Record<string, number>> = {};
  for (const id of m.verdicts.counts.keys()) verdicts[loaded.names.get(id) ?? `prog ${id}`] = m.verdicts.of(id);
  const maps: ScenarioReport['maps'] = {};
  for (const [name, map] of loaded.maps) {
    const dump = dumpMap(map);
    maps[name] = { id: map.id, type: map.typeName, entries: dump.length, dump: dump.slice(0, MAX_DUMP_ENTRIES) };
  }
  const events = ((m.sim.env as { events?: { records: EventRecord[] } }).events?.records ?? []).map(eventToJson);
  const failed = a.steps.some((s) => !s.ok) || a.expectations.some((e) => !e.ok);
  return {
    format: 'tcxsim-report/1',
    scenario: a.name,
    file: a.file,
    status: a.error ? 'error' : failed ? 'failed' : 'passed',
    ...(a.error ? { error: a.error } : {}),
    traffic: { packets: a.totals.packets, bytes: a.totals.bytes, seconds: nsToSeconds(a.totals.spanNs) },
    devices: m.devices().map((d) => ({
      dev: d.path,
      ifindex: d.ifindex,
      kind: d.kind,
      mac: formatMac(d.mac),
      up: d.up,
      addresses: d.addresses.map(formatPrefix),
      rx_packets: d.stats.rxPackets,
      rx_bytes: d.stats.rxBytes,
      tx_packets: d.stats.txPackets,
      tx_bytes: d.stats.txBytes,
      rx_dropped: d.stats.rxDropped,
      tx_dropped: d.stats.txDropped,
    })),
    captures: [...a.captures.points.values()].map((p) => ({
      dev: p.dev,
      direction: p.direction,
      packets: p.packets,
      bytes: p.bytes,
      ...(a.captureFiles.has(`${p.dev} ${p.direction}`) ? { file: a.captureFiles.get(`${p.dev} ${p.direction}`) } : {}),
    })),
    verdicts,
    programs: [...loaded.programs].map(([name, p]) => ({ name, id: p.id, runs: p.runCount, insns: p.insnTotal })),
    accounting: {
      entered: acc.entered,
      created: acc.created,
      delivered: acc.delivered,
      wire: acc.wire,
      dropped: acc.dropped,
      held: acc.held,
      in_flight: acc.inFlight,
      balanced: acc.balanced,
    },
    drops: [...acc.drops].map(([reason, count]) => ({ reason, kernel_reason: `SKB_DROP_REASON_${DROP_REASONS[reason]}`, count })),
    delivered: Object.fromEntries(acc.deliveredByNs),
    attachments: hooksOf(m, loaded.names, a.links),
    maps,
    trace_pipe: m.sim.tracePipe.slice(0, MAX_DUMP_ENTRIES),
    events,
    steps: a.steps,
    expectations: a.expectations,
    files: a.files,
  };
}

/** JSON with bigints as strings and a trailing newline. */
export function reportJson(r: ScenarioReport): string {
  return `${JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
}
