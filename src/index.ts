// index.ts: the `tcxsim` package's library surface (package.json "exports" "."). The CLI is a
// thin layer over these; `tcxsim/testing` (src/testing) is the short form for vitest tests.
export { SimError, ERRNO, type ErrnoName } from './errors.js';

// Programs and maps: object files → specs → live programs and maps, BPF_PROG_TEST_RUN.
export { loadObject, loadObjectFile } from './bpf/elf/index.js';
export type { ObjectSpec, ProgramSpec, MapSpec } from './bpf/spec.js';
export { Simulator, type SimulatorOptions, type LoadedObject } from './sim/simulator.js';
export { Program } from './sim/program.js';
export { testRun, type TestRunOptions, type TestRunResult } from './sim/test-run.js';
export { programFromAsm } from './sim/asm-program.js';
export { assemble, disassemble } from './bpf/asm/index.js';
export { dumpMap, formatDump, loadMap } from './bpf/maps/dump.js';
export { BpfFault, type FaultKind } from './bpf/fault.js';

// The control plane: tcx attach/detach/links with positions as values.
export { TcxSim, head, tail, before, after, replace } from './tcx/index.js';

// Topology and packets.
export { World } from './netdev/world.js';
export { Datapath } from './netdev/datapath/datapath.js';

// Scenario files.
export { runScenarioFile, runScenario } from './scenario/runner.js';
export { readScenarioFile } from './scenario/parse.js';

// Captures.
export { openCapture, readCaptureBytes, PcapWriter, PcapngWriter } from './pcap/index.js';
