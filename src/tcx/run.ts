// run.ts: the tcx chain run (net/core/dev.c tcx_run + include/net/tcx.h tcx_action_code).
// Programs run in array order until one returns anything but TCX_NEXT; only PASS, DROP and
// REDIRECT are final verdicts, every other value maps to TCX_NEXT (classic tc runs next).
import type { MprogTuple } from '../mprog/bundle.js';
import type { TcxProgram } from './program.js';
import { TCX_DROP, TCX_NEXT, TCX_PASS, TCX_REDIRECT } from './uapi.js';

export function tcxActionCode(ret: number): number {
  switch (ret) {
    case TCX_PASS:
    case TCX_DROP:
    case TCX_REDIRECT:
      return ret;
    default:
      return TCX_NEXT;
  }
}

/** Runs the chain on a frame and returns the mapped tcx verdict (TCX_NEXT for an empty chain). */
export function tcxRun(items: readonly MprogTuple<TcxProgram, unknown>[], frame: Uint8Array): number {
  let ret = TCX_NEXT;
  for (let i = 0; i < items.length; i++) {
    ret = items[i]!.prog.run(frame) | 0; // r0 is truncated to 32 bits
    if (ret !== TCX_NEXT) break;
  }
  return tcxActionCode(ret);
}

/** Whether the frame continues on its normal path (no classic tc, no redirect target). */
export function tcxDelivers(verdict: number): boolean {
  return verdict !== TCX_DROP && verdict !== TCX_REDIRECT;
}
