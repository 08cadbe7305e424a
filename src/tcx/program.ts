// program.ts: the minimal program abstraction the control plane needs: an id, a type and a
// run function. Anything that returns a tc verdict for a frame can be plugged in (the BPF
// interpreter later); the control plane never looks inside.

export type ProgType = 'sched_cls' | 'socket_filter';

/** What a caller hands to `load`: inert, no id yet (cilium/ebpf ProgramSpec). */
export interface ProgramSpec {
  readonly type: ProgType;
  readonly name?: string;
  /** Use this id (a simulator that allocates program ids itself); default: the next free id. */
  readonly id?: number;
  /** The program's return value for this frame (r0, read as a signed 32-bit int). */
  run(frame: Uint8Array): number;
}

/** A loaded program as the hooks see it. */
export interface TcxProgram {
  readonly id: number;
  readonly type: ProgType;
  readonly name: string;
  run(frame: Uint8Array): number;
}

/** A loaded program with the kernel's reference count; freed (id released) when it drops to 0. */
export class BpfProgram implements TcxProgram {
  private refs = 1;
  readonly run: (frame: Uint8Array) => number;

  constructor(
    readonly id: number,
    readonly type: ProgType,
    readonly name: string,
    run: (frame: Uint8Array) => number,
    private readonly onFree: (p: BpfProgram) => void,
  ) {
    this.run = run;
  }

  get alive(): boolean {
    return this.refs > 0;
  }

  hold(): void {
    this.refs++;
  }

  put(): void {
    if (--this.refs === 0) this.onFree(this);
  }
}
