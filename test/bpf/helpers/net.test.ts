// bpf_check_mtu and bpf_fib_lookup under BPF_PROG_TEST_RUN: the skb is on loopback (MTU 65536)
// in a namespace without routes, as the kernel's test-run device is.
import { describe, expect, it } from 'vitest';
import { buildEthIpv4Udp } from '../../../src/packet/index.js';
import { programFromAsm } from '../../../src/sim/asm-program.js';
import { Simulator } from '../../../src/sim/simulator.js';
import { testRun } from '../../../src/sim/test-run.js';

const frame = buildEthIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, payload: new Uint8Array(100) });

/** check_mtu(ctx, ifindex, &mtu (in: mtuIn), lenDiff, flags); r0 of the helper in cb[0], *mtu as retval. */
function checkMtu(ifindex: number, lenDiff: number, flags: number, mtuIn = 0) {
  const sim = new Simulator();
  const prog = sim.loadProgram(
    programFromAsm(
      `r6 = r1
       r2 = ${mtuIn}
       *(u32 *)(r10 - 4) = w2
       r2 = ${ifindex}
       r3 = r10
       r3 += -4
       r4 = ${lenDiff}
       r5 = ${flags}
       call 163
       *(u32 *)(r6 + 48) = w0
       r0 = *(u32 *)(r10 - 4)
       exit`,
      'mtu',
    ),
    new Map(),
  );
  const r = testRun(sim, prog, { dataIn: frame });
  expect(r.fault).toBeUndefined();
  return { ret: new DataView(r.ctxOut.buffer).getInt32(48, true), mtu: r.retval };
}

describe('bpf_check_mtu', () => {
  it('passes a frame that fits loopback and reports its MTU', () => {
    expect(checkMtu(0, 0, 0)).toEqual({ ret: 0, mtu: 65536 });
  });
  it('says FRAG_NEEDED when len_diff pushes past MTU + hard_header_len', () => {
    expect(checkMtu(0, 65536 + 14 - frame.length + 1, 0).ret).toBe(1);
    expect(checkMtu(0, 65536 + 14 - frame.length, 0).ret).toBe(0);
  });
  it('takes *mtu_len as the L3 length when set', () => {
    expect(checkMtu(0, 0, 0, 65537).ret).toBe(1);
  });
  it('refuses unknown flags, SEGS with len_diff, and unknown devices', () => {
    expect(checkMtu(0, 0, 2).ret).toBe(-22);
    expect(checkMtu(0, 4, 1).ret).toBe(-22);
    expect(checkMtu(7, 0, 0)).toEqual({ ret: -19, mtu: 0 });
  });
});

describe('bpf_fib_lookup under test-run', () => {
  it('reports forwarding disabled on loopback before any route lookup (bpf_ipv4_fib_lookup order)', () => {
    const sim = new Simulator();
    const dst = '0a000002';
    const prog = sim.loadProgram(
      programFromAsm(
        `r6 = r1
         r1 = 0
         *(u64 *)(r10 - 64) = r1
         *(u64 *)(r10 - 56) = r1
         *(u64 *)(r10 - 48) = r1
         *(u64 *)(r10 - 40) = r1
         *(u64 *)(r10 - 32) = r1
         *(u64 *)(r10 - 24) = r1
         *(u64 *)(r10 - 16) = r1
         *(u64 *)(r10 - 8) = r1
         r1 = 2
         *(u8 *)(r10 - 64) = w1
         r1 = 1
         *(u32 *)(r10 - 56) = w1
         r1 = 0x${dst.match(/../g)!.reverse().join('')}
         *(u32 *)(r10 - 32) = w1
         r1 = r6
         r2 = r10
         r2 += -64
         r3 = 64
         r4 = 0
         call 69
         exit`,
        'fib',
      ),
      new Map(),
    );
    const r = testRun(sim, prog, { dataIn: frame });
    expect(r.fault).toBeUndefined();
    // without BPF_FIB_LOOKUP_OUTPUT the input device must forward (IN_DEV_FORWARD) before the
    // FIB is consulted; the test-run namespace does not forward → BPF_FIB_LKUP_RET_FWD_DISABLED
    expect(r.retval).toBe(5);
  });
});
