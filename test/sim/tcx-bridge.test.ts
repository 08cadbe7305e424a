// tcx-bridge.test.ts: the op-file `send` through a live program (TcxBridge.program's run). A
// real program cannot fault (the verifier refuses it); the simulator's datapath drops a packet
// whose program faulted, and the op-file `send` does the same: the fault is TC_ACT_SHOT, never
// a silent PASS.
import { describe, expect, it } from 'vitest';
import { programFromAsm } from '../../src/sim/asm-program.js';
import { Simulator } from '../../src/sim/simulator.js';
import { TcxBridge } from '../../src/sim/tcx-bridge.js';
import { TC_ACT_SHOT } from '../../src/tc/action.js';

function load(asm: string, name: string) {
  const sim = new Simulator();
  const bridge = new TcxBridge(sim);
  const prog = sim.loadProgram(programFromAsm(asm, name), new Map());
  return bridge.program(prog);
}

describe('op-file send through a live program', () => {
  it('returns the program r0', () => {
    expect(load('r0 = -1\nexit', 'next').run(new Uint8Array(60))).toBe(-1);
  });

  it('a program that faults drops the frame (TC_ACT_SHOT, as the datapath drops it), not PASS', () => {
    // reads 8 bytes far past the end of the 60-byte frame's __sk_buff data
    const t = load('r2 = *(u32 *)(r1 + 76)\nr0 = *(u64 *)(r2 + 4000)\nexit', 'oob');
    expect(t.run(new Uint8Array(60))).toBe(TC_ACT_SHOT);
  });
});
