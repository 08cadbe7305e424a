// result.ts: what a decoder returns when it cannot give a header: "truncated" (the bytes end
// before the header does; says how many it needed) or "malformed" (a field is impossible).
// Decoders never throw on short or odd data; callers switch on `kind`.

export interface Truncated {
  readonly kind: 'truncated';
  readonly layer: string;
  /** Offset of the header that did not fit. */
  readonly offset: number;
  /** Bytes the header needs from `offset`, and bytes there were. */
  readonly need: number;
  readonly have: number;
}

export interface Malformed {
  readonly kind: 'malformed';
  readonly layer: string;
  readonly offset: number;
  readonly reason: string;
}

export type Bad = Truncated | Malformed;

export function truncated(layer: string, offset: number, need: number, have: number): Truncated {
  return { kind: 'truncated', layer, offset, need, have: Math.max(0, have) };
}

export function malformed(layer: string, offset: number, reason: string): Malformed {
  return { kind: 'malformed', layer, offset, reason };
}
