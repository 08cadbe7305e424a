// located.ts: errors with a scenario position in front: `file:line:col: what went wrong`, keeping
// the errno; SimError's own "CODE: " prefix is not repeated.
import { SimError } from '../errors.js';

/** The message of a SimError without its "CODE: " prefix. */
export function bare(e: SimError): string {
  const p = `${e.code}: `;
  return e.message.startsWith(p) ? e.message.slice(p.length) : e.message;
}

/** Runs `f`; a SimError it throws gains `at` (a `file:line:col`) in front of its message. */
export function locatedAt<T>(at: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw relocate(e, at);
  }
}

export function relocate(e: unknown, at: string): unknown {
  if (!(e instanceof SimError)) return e;
  const msg = bare(e);
  return msg.startsWith(at.replace(/:\d+:\d+$/, '')) ? e : new SimError(e.code, `${at}: ${msg}`);
}
