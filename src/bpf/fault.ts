// fault.ts: why a program run stopped abnormally. Faults are thrown inside a run and caught at
// the run boundary (never escape to the caller as exceptions); they name the instruction index,
// and for memory faults the region, offset and size.

export type FaultKind =
  | 'out_of_bounds' // access outside a region (incl. past data_end)
  | 'null_dereference' // access through a pointer to nothing (scalar or NULL)
  | 'read_only' // store into a read-only region (.rodata, BPF_F_RDONLY_PROG)
  | 'stale_packet_pointer' // access through a packet pointer invalidated by a helper
  | 'ctx_access' // __sk_buff field not readable/writable with that size
  | 'unknown_opcode'
  | 'bad_instruction' // known opcode, invalid fields (register > 10, reserved bits)
  | 'jump_out_of_range'
  | 'insn_limit' // instruction budget exhausted (runaway loop)
  | 'call_depth' // more than 8 bpf-to-bpf frames
  | 'unknown_helper'
  | 'helper_fault' // a helper was handed arguments the verifier would have refused
  | 'fell_off_end'; // execution ran past the last instruction

export class BpfFault extends Error {
  override readonly name = 'BpfFault';
  /** Disassembled instruction, filled in at the run boundary where the program is known. */
  insnText = '';
  constructor(
    readonly kind: FaultKind,
    /** instruction index (slot) where the fault happened; -1 when not tied to one */
    public pc: number,
    readonly detail: string,
    readonly region?: string,
    readonly offset?: number,
    readonly size?: number,
  ) {
    super(`${kind} at insn ${pc}: ${detail}`);
  }

  /** One line for traces and CLI output: `out_of_bounds at insn 12 (r2 = *(u32 *)(r1 + 76)): ...` */
  describe(): string {
    const where = this.insnText ? `insn ${this.pc} (${this.insnText})` : `insn ${this.pc}`;
    return `${this.kind} at ${where}: ${this.detail}`;
  }
}
