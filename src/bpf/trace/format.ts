// format.ts: the human form of a per-packet trace, one header line per program run and one
// indented line per event (deeper for callbacks), e.g.
//
//   #1 eth0 ingress  dispatch(id 3)  r0=7 REDIRECT  412 insns
//     bpf_map_lookup_elem(map:flows, stack-16) = map:flows+128
//       flows[0a000001] <- 0100000000000000
//     tail_call(ctx, map:jmp_table, 1) -> tail_tcp(id 4)
import type { RunTrace, TraceEvent } from './record.js';

const MISS: Readonly<Record<string, string>> = {
  index: 'index >= max_entries',
  limit: 'MAX_TAIL_CALL_CNT reached',
  empty: 'empty slot',
};

export function formatRunHeader(run: RunTrace): string {
  const verdict = run.verdict && run.verdict !== 'fault' ? ` ${run.verdict}` : '';
  return `#${run.packet} ${run.hook}  ${run.prog.name}(id ${run.prog.id})  r0=${run.r0}${verdict}  ${run.insns} insns`;
}

export function formatEvent(ev: TraceEvent): string {
  const pad = '  '.repeat(ev.depth + 1);
  switch (ev.kind) {
    case 'helper':
      return `${pad}${ev.helper}(${ev.args.join(', ')}) = ${ev.ret}`;
    case 'tail_call': {
      const to = ev.to !== null ? `${ev.to.name}(id ${ev.to.id})` : `fall through (${MISS[ev.miss ?? 'empty']})`;
      return `${pad}tail_call(ctx, ${ev.map}, ${ev.index}) -> ${to}`;
    }
    case 'map_write': {
      const where = ev.key === '' ? ev.map : `${ev.map}[${ev.key}]`;
      const what = ev.op === 'delete' ? 'deleted' : ev.op === 'pop' ? `popped ${ev.value}` : `<- ${ev.value}${ev.op === 'push' ? ' (push)' : ''}`;
      return `${pad}  ${where} ${what}`;
    }
  }
}

/** The whole run: header, events, and the fault if the program stopped on one. */
export function formatRun(run: RunTrace): string {
  const lines = [formatRunHeader(run)];
  for (const ev of run.events) lines.push(formatEvent(ev));
  if (run.fault) lines.push(`  FAULT ${run.fault.message}`);
  return lines.join('\n');
}

export function formatTrace(runs: readonly RunTrace[]): string {
  return runs.map(formatRun).join('\n');
}
