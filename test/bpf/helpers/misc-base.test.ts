// misc-base.test.ts: strtol/strtoul, strncmp, spin locks and the current-task helpers
// (src/bpf/helpers/misc-base.ts). The string cases and their results were recorded on Linux 6.18
// with a clang-built tc program under BPF_PROG_TEST_RUN (bpftool prog run), res preset to 0x7777.
import { describe, expect, it } from 'vitest';
import { BPF_F_RDONLY_PROG, BPF_MAP_TYPE } from '../../../src/bpf/spec.js';
import { Bench, save, u32le } from '../trace/harness.js';

/** Stores `s` (no NUL) at fp-80.. */
function onStack(s: string): string {
  return [...s].map((c, i) => `*(u8 *)(r10 - ${80 - i}) = ${c.charCodeAt(0)}`).join('\n');
}

function strtox(helper: 'strtol' | 'strtoul', s: string, flags: number): [bigint, bigint] {
  const b = new Bench();
  const p = b.prog(helper, `
    ${onStack(s)}
    r1 = 0x7777
    *(u64 *)(r10 - 88) = r1
    r1 = r10
    r1 += -80
    r2 = ${s.length}
    r3 = ${flags}
    r4 = r10
    r4 += -88
    call bpf_${helper}
    ${save(0)}
    r0 = *(u64 *)(r10 - 88)
    ${save(1)}
    r0 = 0
    exit`);
  const r = b.run(p);
  expect(r.fault).toBeUndefined();
  return [b.result(0), b.result(1)];
}

const MIN = -(2n ** 63n);
// [helper, input, flags, return, *res] as recorded
const CASES: [ 'strtol' | 'strtoul', string, number, bigint, bigint][] = [
  ['strtol', '  -123xyz', 0, 6n, -123n],
  ['strtol', '0x1f', 0, 4n, 31n],
  ['strtol', '0x1f', 10, 1n, 0n],
  ['strtol', '017', 0, 3n, 15n],
  ['strtol', 'zz', 0, -22n, 0n],
  ['strtol', '  ', 0, -22n, 0n],
  ['strtol', '9223372036854775808', 0, -34n, 0n],
  ['strtol', '-9223372036854775808', 0, 20n, MIN],
  ['strtol', '99999999999999999999', 0, -34n, 0n],
  ['strtol', '12', 7, -22n, 0n],
  ['strtol', '12', 0x20, -22n, 0n],
  ['strtoul', '-5', 0, -22n, 0n],
  ['strtoul', '18446744073709551615', 0, 20n, -1n],
  ['strtol', '0x', 16, -22n, 0n],
  ['strtol', '0xg', 0, 1n, 0n],
  ['strtol', '-', 0, -22n, 0n],
  ['strtoul', 'ff', 16, 2n, 255n],
  ['strtol', '\t+5', 0, -22n, 0n],
];

describe('bpf_strtol / bpf_strtoul', () => {
  it.each(CASES)('%s(%j, flags %i) = %i, res %i (Linux 6.18)', (helper, s, flags, ret, res) => {
    expect(strtox(helper, s, flags)).toEqual([ret, res]);
  });
});

describe('bpf_strncmp', () => {
  it('compares s1[0..n) with a constant string like lib/string.c strncmp: -1, 0, 1', () => {
    const b = new Bench();
    const ro = b.map('ro', { type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, flags: BPF_F_RDONLY_PROG });
    ro.update(u32le(0), new Uint8Array([...'hello'].map((c) => c.charCodeAt(0)).concat([0, 0, 0])));
    const cmp = (s: string, n: number, slot: number): string => `
      r1 = 0
      *(u64 *)(r10 - 80) = r1
      ${onStack(s)}
      r1 = r10
      r1 += -80
      r2 = ${n}
      r3 = map[ro][0]+0 ll
      call bpf_strncmp
      ${save(slot)}`;
    const p = b.prog('cmp', [cmp('hellp', 8, 0), cmp('hell', 8, 1), cmp('hello', 8, 2), cmp('hellp', 4, 3), 'r0 = 0', 'exit'].join('\n'));
    expect(b.run(p).fault).toBeUndefined();
    expect(b.results(4)).toEqual([1n, -1n, 0n, 0n]);
  });
});

describe('current task and spin locks', () => {
  it('softirq context: pid_tgid 0, uid_gid 0, comm "swapper/<cpu>" zero-padded; spin_lock/unlock return 0', () => {
    const b = new Bench();
    b.map('locked', { type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    const p = b.prog('task', `
      call bpf_get_current_pid_tgid
      ${save(0)}
      call bpf_get_current_uid_gid
      ${save(1)}
      r1 = -1
      *(u64 *)(r10 - 80) = r1
      *(u64 *)(r10 - 72) = r1
      r1 = r10
      r1 += -80
      r2 = 16
      call bpf_get_current_comm
      ${save(2)}
      r0 = *(u64 *)(r10 - 80)
      ${save(3)}
      r0 = *(u64 *)(r10 - 72)
      ${save(4)}
      r1 = map[locked][0]+0 ll
      call bpf_spin_lock
      ${save(5)}
      r1 = map[locked][0]+0 ll
      call bpf_spin_unlock
      ${save(6)}
      r0 = 0
      exit`);
    expect(b.run(p).fault).toBeUndefined();
    const swapper = Buffer.from('swapper/0\0\0\0\0\0\0\0', 'latin1');
    expect(b.results(7)).toEqual([0n, 0n, 0n, swapper.readBigInt64LE(0), swapper.readBigInt64LE(8), 0n, 0n]);
  });
});
