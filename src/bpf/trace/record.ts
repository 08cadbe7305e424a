// record.ts: the per-packet trace as data. Every program run on a packet is one RunTrace: which
// program at which hook, what it returned, how many instructions it took, and in order every
// helper call, tail call and map write it made (callbacks included, with their call depth).
// Everything here is JSON-serialisable as is (64-bit values are strings).

export interface ProgRef {
  readonly name: string;
  readonly id: number;
}

interface EventBase {
  /** Instruction index of the call in `prog`. */
  readonly pc: number;
  /** Program whose code made the call (changes after a tail call). */
  readonly prog: string;
  /** Call-frame depth: 0 in the program's main function, more inside subprograms and callbacks. */
  readonly depth: number;
}

export interface HelperEvent extends EventBase {
  readonly kind: 'helper';
  /** `bpf_map_lookup_elem` */
  readonly helper: string;
  readonly id: number;
  /** r1..r(arity), described: `ctx`, `map:flows`, `stack-16`, `pkt+14`, `42`, `0xc0ffee`. */
  readonly args: string[];
  /** r0 after the call, described the same way (errno names added, `NULL` for pointers). */
  ret: string;
}

export interface TailCallEvent extends EventBase {
  readonly kind: 'tail_call';
  readonly from: ProgRef;
  /** `map:jmp_table` */
  readonly map: string;
  readonly index: number;
  /** The program now running, or null when the call fell through. */
  readonly to: ProgRef | null;
  /** Why it fell through: index >= max_entries, MAX_TAIL_CALL_CNT reached, or an empty slot. */
  readonly miss?: 'index' | 'limit' | 'empty';
  /** tail_call_cnt after the call. */
  readonly count: number;
}

export interface MapWriteEvent extends EventBase {
  readonly kind: 'map_write';
  readonly op: 'update' | 'delete' | 'push' | 'pop';
  readonly map: string;
  /** Key bytes as hex ('' for queues and stacks). */
  readonly key: string;
  /** Value bytes as hex ('' for deletes). */
  readonly value: string;
}

export type TraceEvent = HelperEvent | TailCallEvent | MapWriteEvent;

export interface FaultRecord {
  readonly kind: string;
  readonly pc: number;
  /** BpfFault.describe(): the instruction and what went wrong. */
  readonly message: string;
}

export interface RunTrace {
  /** Packet number (1-based) this run belongs to. */
  readonly packet: number;
  /** Where the program ran, as the caller names it: `eth0 ingress`, `tcx/egress veth0`. */
  readonly hook: string;
  /** The program the hook ran (tail-called ones are in `progs` and the events). */
  readonly prog: ProgRef;
  /** Every program that ran, entry first, then each tail-call target. */
  readonly progs: ProgRef[];
  /** Low 32 bits of r0, signed (the tc verdict). */
  r0: number;
  /** The verdict's name (`OK`, `SHOT`, `REDIRECT`, `NEXT` at tcx, ...). */
  verdict: string;
  insns: number;
  readonly events: TraceEvent[];
  fault?: FaultRecord;
}
