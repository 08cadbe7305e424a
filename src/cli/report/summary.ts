// summary.ts: the human summary of a scenario report (`tcxsim run`, `tcxsim replay`): steps,
// final attach order, device counters, verdicts, drops, accounting, maps, captures and
// expectations, ending with tcpreplay's two lines:
//   Actual: 5 packets (420 bytes) sent in 0.000812 seconds
//   Rated: 517241.4 Bps, 4.13 Mbps, 6157.63 pps
import type { ScenarioReport } from '../../scenario/report.js';
import { isAbsolute, relative } from 'node:path';
import { table } from './table.js';

/** A path relative to the current directory when it is under it (what users typed). */
export function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p;
}

export function formatSummary(r: ScenarioReport, opts: { wallMs: number; outDir: string | null }): string {
  const out: string[] = [];
  if (r.steps.length) {
    out.push('Steps:');
    const w = Math.max(...r.steps.map((s) => s.what.length));
    for (const s of r.steps) {
      const mark = s.ok ? (s.expect === 'ok' ? 'ok' : `${s.result} (expected)`) : `${s.result}, expected ${s.expect}  ✗`;
      out.push(`  ${String(s.index + 1).padStart(2)}. ${s.what.padEnd(w)}  ${mark}`);
    }
  }
  if (r.attachments.length) {
    out.push('Attachments:');
    for (const h of r.attachments) {
      const progs = h.programs.map((p) => `${p.name}(id ${p.id}${p.link ? `, link ${p.link}` : ''})`).join(' → ') || '(none)';
      out.push(`  ${h.dev} ${h.hook} tcx revision ${h.revision}: ${progs}`);
      for (const f of h.filters) if (f.includes('handle')) out.push(`    tc ${f.trim()}`);
    }
  }
  out.push('Devices:');
  out.push(
    ...table(
      ['device', 'ifindex', 'rx pkts', 'rx bytes', 'tx pkts', 'tx bytes', 'rx drop', 'tx drop'],
      r.devices.map((d) => [d.dev, d.ifindex, d.rx_packets, d.rx_bytes, d.tx_packets, d.tx_bytes, d.rx_dropped, d.tx_dropped]),
    ).map((l) => `  ${l}`),
  );
  const v = Object.entries(r.verdicts);
  if (v.length) {
    out.push('Verdicts:');
    for (const [name, c] of v) out.push(`  ${name}: ${Object.entries(c).map(([k, n]) => `${k} ${n}`).join(', ') || 'never ran'}`);
  }
  const a = r.accounting;
  out.push(
    `Packets: ${a.entered} entered + ${a.created} created = ${a.delivered} delivered + ${a.wire} to the wire + ${a.dropped} dropped + ${a.held} held` +
      (a.in_flight ? ` + ${a.in_flight} in flight (UNBALANCED)` : ''),
  );
  if (r.drops.length) for (const d of r.drops) out.push(`  dropped ${d.count}: ${d.reason} (${d.kernel_reason})`);
  const delivered = Object.entries(r.delivered);
  if (delivered.length) out.push(`  delivered: ${delivered.map(([ns, n]) => `${ns} ${n}`).join(', ')}`);
  const maps = Object.entries(r.maps).filter(([n]) => !/\/\.(rodata|data|bss)/.test(n));
  if (maps.length) {
    out.push('Maps:');
    for (const [name, m] of maps) out.push(`  ${name} (${m.type}, id ${m.id}): ${m.entries} entries`);
  }
  if (r.trace_pipe.length) out.push(`trace_pipe: ${r.trace_pipe.length} lines (--trace prints them)`);
  if (opts.outDir) {
    out.push(`Output: ${displayPath(opts.outDir)}/`);
    for (const c of r.captures) if (c.file && c.packets > 0) out.push(`  ${c.file}: ${c.packets} packets`);
    out.push(`  report.json`);
  }
  if (r.expectations.length) {
    const failed = r.expectations.filter((e) => !e.ok);
    out.push(`Expectations: ${r.expectations.length - failed.length}/${r.expectations.length} passed`);
    for (const e of r.expectations) out.push(`  ${e.ok ? '✓' : '✗'} ${e.text}${e.ok ? '' : ` — found ${e.detail}`}`);
  }
  out.push(...rateLines(r.traffic.packets, r.traffic.bytes, opts.wallMs, r.traffic.seconds));
  return `${out.join('\n')}\n`;
}

/** tcpreplay's closing lines, for the wall-clock time the replay took (plus the simulated span). */
export function rateLines(packets: number, bytes: number, wallMs: number, simSeconds: number): string[] {
  const s = Math.max(wallMs / 1000, 1e-6);
  return [
    `Simulated: ${simSeconds.toFixed(6)} seconds of capture time`,
    `Actual: ${packets} packets (${bytes} bytes) sent in ${s.toFixed(6)} seconds`,
    `Rated: ${(bytes / s).toFixed(1)} Bps, ${((bytes * 8) / s / 1e6).toFixed(2)} Mbps, ${(packets / s).toFixed(2)} pps`,
  ];
}

/** The stderr lines saying which expectations and steps failed, with their file positions. */
export function failureLines(r: ScenarioReport): string[] {
  const out: string[] = [];
  for (const s of r.steps) if (!s.ok) out.push(`${s.at}: step ${s.index + 1} (${s.what}) returned ${s.result}, expected ${s.expect}${s.message ? `: ${s.message}` : ''}`);
  for (const e of r.expectations) if (!e.ok) out.push(`${e.at}: expectation failed: ${e.text} — found ${e.detail}`);
  return out;
}
