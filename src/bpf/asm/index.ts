// index.ts: the BPF assembler and disassembler (llvm-objdump syntax), for faults, traces,
// `prog dump` and hand-written test programs. See README.md in this folder for the syntax.
export { type DisasmOptions, disasmInsn, unknownText } from './disasm.js';
export { type ListingOptions, branchTargets, disassemble } from './listing.js';
export { type AssembleOptions, type AssembledProgram, assemble, assembleProgram } from './assemble.js';
