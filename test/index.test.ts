// The package's library entry (package.json "exports" "."): load an object, run it like
// BPF_PROG_TEST_RUN, and attach it with tcx anchors, using only what src/index.ts exports.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Simulator, TcxSim, head, loadObjectFile, testRun } from '../src/index.js';

describe('tcxsim library entry', () => {
  it('loads, test-runs and attaches a clang object', () => {
    const sim = new Simulator();
    const obj = sim.loadObject(loadObjectFile('bpf/flow_counter.o'));
    const res = testRun(sim, obj.program(), { dataIn: readFileSync('bpf/frames/udp.bin') });
    expect(res.retval).toBe(0);
    expect(obj.map('flows').entries()).toHaveLength(1);

    const tcx = new TcxSim();
    tcx.addDevice('eth0');
    const prog = tcx.load({ type: 'sched_cls', name: 'p', run: () => -1 });
    tcx.attachTcx({ dev: 'eth0', hook: 'ingress', prog, anchor: head() });
    expect(tcx.query('eth0', 'ingress').revision).toBe(2);
  });
});
