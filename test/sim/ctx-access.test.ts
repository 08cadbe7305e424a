// __sk_buff access quirks through the real interpreter (recorded on Linux 6.18 by the
// context fixtures): an immediate store of -1 to queue_mapping writes 0xffff while a register
// store of -1 is skipped; a sign-extending load of skb->data is refused.
import { describe, expect, it } from 'vitest';
import { programFromAsm } from '../../src/sim/asm-program.js';
import { Simulator } from '../../src/sim/simulator.js';
import { testRun } from '../../src/sim/test-run.js';
import { buildEthIpv4Udp } from '../../src/packet/index.js';

const frame = buildEthIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1000, dport: 53, payload: new Uint8Array(4) });

function run(asm: string) {
  const sim = new Simulator();
  const prog = sim.loadProgram(programFromAsm(asm, 'p'), new Map());
  return testRun(sim, prog, { dataIn: frame });
}

describe('__sk_buff access through the interpreter', () => {
  it('BPF_ST of -1 to queue_mapping stores 0xffff (kernel quirk)', () => {
    const r = run('*(u32 *)(r1 + 12) = -1\nr0 = *(u32 *)(r1 + 12)\nexit');
    expect(r.fault).toBeUndefined();
    expect(r.retval).toBe(0xffff);
  });
  it('BPF_STX of -1 to queue_mapping is skipped (kernel quirk)', () => {
    const r = run('r2 = -1\n*(u32 *)(r1 + 12) = r2\nr0 = *(u32 *)(r1 + 12)\nexit');
    expect(r.fault).toBeUndefined();
    expect(r.retval).toBe(0);
  });
  it('refuses a sign-extending load of skb->data', () => {
    const r = run('r0 = *(s32 *)(r1 + 76)\nexit');
    expect(r.fault?.kind).toBe('ctx_access');
    expect(r.fault?.describe()).toMatch(/insn 0 \(r0 = \*\(s32 \*\)\(r1 \+ 76\)\)/);
  });
  it('a 4-byte load of skb->data yields a full packet pointer', () => {
    const r = run('r2 = *(u32 *)(r1 + 76)\nr3 = *(u32 *)(r1 + 80)\nr0 = r3\nr0 -= r2\nexit');
    expect(r.retval).toBe(frame.length);
  });
});
