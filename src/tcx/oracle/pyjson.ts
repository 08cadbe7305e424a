// pyjson.ts: JSON text exactly as Python's json.dumps writes it (", " and ": " separators,
// non-ASCII escaped), and the one-step-per-line trace layout of kernel_tcx.py, so that our
// traces are byte-identical to the kernel's apart from "meta".
import type { Trace } from './runner.js';

function pyString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += s[i];
  }
  return out + '"';
}

export function pyJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return pyString(v);
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) >= 1e21 ? BigInt(v).toString() : JSON.stringify(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) parts.push(`${pyString(k)}: ${pyJson(x)}`);
  return `{${parts.join(', ')}}`;
}

/** kernel_tcx.py dump(compact_steps=True): top-level keys one per line, then one step per line. */
export function formatTrace(trace: Trace): string {
  const out = ['{'];
  for (const [k, v] of Object.entries(trace)) if (k !== 'steps') out.push(` ${pyString(k)}: ${pyJson(v)},`);
  out.push(' "steps": [');
  trace.steps.forEach((st, i) => out.push(`  ${pyJson(st)}${i + 1 < trace.steps.length ? ',' : ''}`));
  out.push(' ]');
  out.push('}');
  return out.join('\n') + '\n';
}
