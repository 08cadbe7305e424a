// conformance.ts: runs one bpf_conformance vector under that suite's contract
// (../shared/conformance/bpf_conformance/README.md): r1 = a copy of the memory (0 when none),
// r2 = its length, r10 = a 512-byte stack, helper 5 exists, and r0 at exit is the result.
import { decodeHex } from '../insn.js';
import { Region } from '../memory.js';
import { pointer, Vm, type RunResult } from '../vm.js';

/** The helper id the suite's programs call (the kernel's bpf_ktime_get_ns). */
export const CONFORMANCE_HELPER_ID = 5;

export function runConformanceVector(programHex: string, memoryHex: string, name = 'program'): RunResult {
  const insns = decodeHex(programHex, name);
  const vm = new Vm();
  vm.helpers[CONFORMANCE_HELPER_ID] = (m) => {
    m.regs[0] = 0;
    m.regs[1] = 0;
  };
  const clean = memoryHex.replace(/\s+/g, '');
  let r1 = 0n;
  let len = 0;
  if (clean.length > 0) {
    const bytes = Uint8Array.from(Buffer.from(clean, 'hex'));
    len = bytes.length;
    r1 = pointer(vm.memory.addStatic(new Region('memory', bytes, true)), 0);
  }
  return vm.run({ name, insns }, r1, { r2: len });
}
