// query.ts: bpf_mprog_query: count, revision and the first `capacity` slots of a hook.
// A hook without a bundle reports count 0 and revision 1. capacity < count fills what fits and
// reports ENOSPC, while count and revision are still written (spec §1.6, Q11).
import { SimError } from '../errors.js';
import type { MprogBundle, MprogTuple } from './bundle.js';

export interface MprogQueryRequest {
  readonly queryFlags: number;
  readonly attachFlags: number;
  /** Capacity of the caller's id arrays (query.count in); 0 = just count and revision. */
  readonly capacity: number;
  readonly where: string;
}

export interface MprogQueryResult<P, L> {
  /** Total number of programs on the hook. */
  readonly count: number;
  readonly revision: number;
  /** The slots written to the caller's arrays: min(capacity, count) of them. */
  readonly items: readonly MprogTuple<P, L>[];
  /** Always 0 for mprog (query.attach_flags out; per-entry attach flags are 0 too). */
  readonly attachFlags: 0;
  /** True when 0 < capacity < count: the syscall returns ENOSPC after writing the above. */
  readonly truncated: boolean;
}

export function mprogQuery<P, L>(bundle: MprogBundle<P, L> | null, req: MprogQueryRequest): MprogQueryResult<P, L> {
  if (req.queryFlags !== 0 || req.attachFlags !== 0) {
    throw new SimError('EINVAL', `${req.where}: query_flags 0x${req.queryFlags.toString(16)} / attach_flags 0x${req.attachFlags.toString(16)} must be 0`);
  }
  const items = bundle ? bundle.items : [];
  const revision = bundle ? bundle.revision : 1;
  const n = Math.min(req.capacity, items.length);
  return {
    count: items.length,
    revision,
    items: n === items.length ? items : items.slice(0, n),
    attachFlags: 0,
    truncated: req.capacity > 0 && req.capacity < items.length,
  };
}
