// index.ts: tcx, the tc eBPF hooks on a device, built on src/mprog. Two layers: the bpf(2)-shaped
// BpfSys (fds, ids, BPF_F_* bits, -errno results) and the friendly TcxSim/anchors (throws SimError).
export * from './uapi.js';
export * from './anchor.js';
export { TcxSim, Program, Link, type TcxAttachOptions, type TcxDetachOptions, type QueryResult, type AttachedProgram, type DevRef } from './api.js';
export { BpfSys, type ProgAttachAttr, type ProgDetachAttr, type ProgQueryAttr, type ProgQueryOut, type LinkCreateAttr, type LinkUpdateAttr, type TcxLinkInfo } from './syscall.js';
export { Tcx, type TcxObjects } from './tcx.js';
export { TcxLink } from './link.js';
export { TcxEntry } from './entry.js';
export { TcxDevice, type QdiscKind } from './device.js';
export { BpfProgram, type ProgramSpec, type ProgType, type TcxProgram } from './program.js';
export { tcxRun, tcxActionCode, tcxDelivers } from './run.js';
