// program.ts: a live program: a ProgramSpec whose relocations are resolved against live maps,
// with an id, a tag and run statistics. It is an Executable the VM runs directly.
import { createHash } from 'node:crypto';
import { readsTstampType } from '../bpf/context/bind.js';
import type { Insn } from '../bpf/insn.js';
import { encodeInsns } from '../bpf/insn.js';
import type { BpfMap } from '../bpf/maps/map.js';
import type { ProgramSpec } from '../bpf/spec.js';
import type { HelperProg } from '../bpf/helpers/env.js';

export class Program implements HelperProg {
  prepared?: unknown;
  /** Times run (each tail-called program counts its own runs). */
  runCount = 0;
  /** Instructions executed over all runs. */
  insnTotal = 0;
  /** Whether the program reads __sk_buff.tstamp_type (changes what tstamp reads at ingress). */
  readonly readsTstampType: boolean;

  constructor(
    readonly id: number,
    readonly spec: ProgramSpec,
    /** Resolved instructions: pseudo lddw forms replaced by plain 64-bit immediates. */
    readonly insns: readonly Insn[],
    /** Maps the program references, in first-use order (what `bpftool prog show` lists as map_ids). */
    readonly maps: readonly BpfMap[],
  ) {
    this.readsTstampType = readsTstampType(insns);
  }

  get name(): string {
    return this.spec.name;
  }

  get type(): number {
    return this.spec.type;
  }

  get section(): string {
    return this.spec.section;
  }

  /**
   * The program tag: the first 8 bytes of SHA-1 over the instructions with map references
   * zeroed, as bpf_prog_calc_tag does (so the same object gives the same tag on every load).
   */
  get tag(): string {
    return createHash('sha1').update(encodeInsns(this.spec.insns)).digest('hex').slice(0, 16);
  }
}
