// calls.ts: the call, callx and legacy packet-load rules both tiers share (interp/exec.ts and
// jit/runtime.ts call these), so their checks, frame bookkeeping and fault texts cannot drift:
// a callx target check, the depth check and fresh stack of a bpf-to-bpf call, LD_ABS bounds.
import { BpfFault } from '../fault.js';
import { MAX_CALL_FRAMES } from '../opcodes.js';
import type { Vm } from '../vm.js';
import type { Prepared } from './prepare.js';

/** `callx` of a function pointer (TAG_FUNC, insn): the insn must start an instruction of the program. */
export function checkCallxTarget(p: Prepared, insn: number, pc: number): void {
  if (insn < 0 || insn >= p.insns.length || p.second[insn] !== 0) {
    throw new BpfFault('jump_out_of_range', pc, `callx target insn ${insn} is outside the program`);
  }
}

/**
 * A bpf-to-bpf call from frame `depth` at `pc`: checks the kernel's MAX_CALL_FRAMES, gives the
 * callee a fresh zeroed stack and its r10. Saving the caller's r6..r10 is the caller's business
 * (the interpreter keeps them in vm.frameRegs, compiled code in its locals).
 */
export function pushFrame(vm: Vm, depth: number, pc: number): void {
  if (depth + 1 >= MAX_CALL_FRAMES) {
    throw new BpfFault('call_depth', pc, `call would nest ${depth + 2} frames (the kernel allows ${MAX_CALL_FRAMES})`);
  }
  vm.setFrameStack(depth + 1);
  vm.depth = depth + 1;
}

/**
 * Legacy BPF_LD|BPF_ABS/BPF_IND: a big-endian load of `size` bytes at skb->data + `off`
 * (net/core/filter.c bpf_skb_load_helper_*). Returns the value (≥ 0), or -1 when out of bounds
 * (the program then ends with r0 = 0).
 */
export function packetLoad(vm: Vm, size: number, off: number, pc: number): number {
  const region = vm.memory.regions[vm.memory.packetTag];
  if (region === undefined || region.invalid !== null) {
    throw new BpfFault('null_dereference', pc, 'legacy packet load with no packet');
  }
  const start = vm.packetDataOffset;
  const end = vm.packetDataEnd >= 0 ? vm.packetDataEnd : region.size;
  if (off < 0 || start + off + size > end) return -1;
  const v = region.view;
  const o = start + off;
  return size === 4 ? v.getUint32(o, false) : size === 2 ? v.getUint16(o, false) : v.getUint8(o);
}

/** The fault for running past the last instruction (slot `pc`, one past the end) of `name`. */
export function fellOffEnd(name: string, pc: number): BpfFault {
  return new BpfFault('fell_off_end', pc, `execution ran past the last instruction of ${name} (${pc} insns)`);
}
