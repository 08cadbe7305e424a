// jit.bench.ts: interpreter vs compiled tier (and the kernel's JIT when root and bpftool are
// there) on bpf/bench.o's hash_loop (compute bound: 1000 xorshift/FNV rounds) and parse_count
// (eth/ipv4/udp parse + hash map increment), plus a hand-assembled copy of hash_loop that needs
// no ELF loader. Prints ns per run (median of rounds, all measured in this one process) and ratios.
// Runs are timed through execProgram, the allocation-free run the datapath's hooks use: the
// kernel's BPF_PROG_TEST_RUN repeat loop allocates nothing per run either, while runProgram's
// RunResult object would add ~10 ns to every run here and to none in a replay.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { assemble } from '../src/bpf/asm/index.js';
import { bindSkb } from '../src/bpf/context/bind.js';
import { skbFromTestRun } from '../src/bpf/context/test-run.js';
import { loadObjectFile } from '../src/bpf/elf/index.js';
import { engineOf, execProgram, type Engine } from '../src/bpf/jit/index.js';
import type { Executable } from '../src/bpf/vm.js';
import { Simulator } from '../src/sim/simulator.js';

const OBJECT = 'bpf/bench.o';
const KERNEL_SCRIPT = 'bench/kernel-test-run.py';

/** 02:00:00:00:00:02 <- 02:00:00:00:00:01, IPv4 10.0.0.1 -> 10.0.0.2, UDP 5353 -> 53, 18 bytes of payload. */
function udpFrame(): Uint8Array {
  const hex =
    '020000000002' + '020000000001' + '0800' +
    '4500002e12344000401100000a0000010a000002' +
    '14e90035001a0000' + '717565727920666f722062656e636821';
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** bench.c hash_loop as llvm-objdump prints it, assembled here (no ELF loader involved). */
const HASH_LOOP_ASM = `
  r2 = *(u32 *)(r1 + 0)
  r4 = *(u32 *)(r1 + 80)
  r3 = *(u32 *)(r1 + 76)
  r5 = r3
  r5 += 8
  if r5 > r4 goto LBB0_2
  r3 = *(u64 *)(r3 + 0)
  r3 ^= r2
  r2 = r3
LBB0_2:
  r0 = -3750763034362895579 ll
  r3 = 1000
  r4 = 1099511628211 ll
LBB0_3:
  r5 = r2
  r5 <<= 13
  r5 ^= r2
  r6 = r5
  r6 >>= 7
  r6 ^= r5
  r5 = r6
  r5 &= 255
  r5 ^= r0
  r2 = r6
  r2 <<= 17
  r2 ^= r6
  r5 *= r4
  r6 >>= 8
  r6 &= 255
  r5 ^= r6
  r5 *= r4
  r3 += -1
  r6 = r3
  r6 <<= 32
  r6 >>= 32
  r0 = r5
  if r6 != 0 goto LBB0_3
  *(u32 *)(r1 + 8) = r5
  r5 >>= 32
  *(u32 *)(r1 + 48) = r5
  r0 = 0
  exit
`;

interface Figure {
  ns: number;
  r0: number;
  insns: number;
}

/** Median ns per run over `rounds` rounds of `runs` runs, after `warm` warm-up runs. */
function measure(sim: Simulator, exe: Executable, engine: Engine, runs: number, rounds: number, warm: number): Figure {
  const vm = sim.vm;
  const opts = { engine, hotRuns: 0 };
  let fault = execProgram(vm, exe, undefined, opts);
  if (fault !== null) throw new Error(`${exe.name} (${engine}): ${fault.describe()}`);
  for (let k = 0; k < warm; k++) execProgram(vm, exe, undefined, opts);
  const figures: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < runs; k++) fault = execProgram(vm, exe, undefined, opts);
    figures.push(Number(process.hrtime.bigint() - t0) / runs);
  }
  if (fault !== null) throw new Error(`${exe.name} (${engine}): ${fault.describe()}`);
  figures.sort((a, b) => a - b);
  return { ns: figures[figures.length >> 1], r0: vm.regs[0], insns: vm.insnCount };
}

function kernelTimes(frame: Uint8Array, progs: string[]): Map<string, number> | string {
  if (!existsSync(KERNEL_SCRIPT)) return `${KERNEL_SCRIPT} not found (run from the repository root)`;
  const res = spawnSync('python3', [KERNEL_SCRIPT, OBJECT, Buffer.from(frame).toString('hex'), '100000', '7', ...progs], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (res.status !== 0) return (res.stderr || res.error?.message || `exit ${res.status}`).trim().split('\n').pop() ?? 'failed';
  const out = JSON.parse(res.stdout) as Record<string, { ns: number; retval: number }>;
  return new Map(Object.entries(out).map(([k, v]) => [k, v.ns]));
}

const fmt = (ns: number): string => (ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${ns.toFixed(0)} ns`).padStart(9);

function main(): void {
  if (!existsSync(OBJECT)) {
    console.log(`jit: ${OBJECT} not found (run from the repository root); skipped`);
    return;
  }
  const frame = udpFrame();
  const sim = new Simulator();
  const obj = sim.loadObject(loadObjectFile(OBJECT));
  const skb = skbFromTestRun(frame, null, { skb: sim.ctx.skb });
  bindSkb(sim.ctx, skb);
  sim.env.skb = skb;
  sim.vm.packetDataOffset = skb.data;

  const cases: { name: string; prog: string | null; exe: Executable; runs: number; warm: number }[] = [
    { name: 'hash_loop (bench.o)', prog: 'hash_loop', exe: obj.program('hash_loop'), runs: 2_000, warm: 20_000 },
    { name: 'hash_loop (hand-assembled)', prog: null, exe: { name: 'hash_loop_asm', insns: assemble(HASH_LOOP_ASM) }, runs: 2_000, warm: 20_000 },
    { name: 'parse_count (bench.o)', prog: 'parse_count', exe: obj.program('parse_count'), runs: 200_000, warm: 200_000 },
  ];
  const kernel = kernelTimes(frame, ['hash_loop', 'parse_count']);
  console.log('compiled tier vs interpreter vs kernel JIT (ns per run through execProgram, no result object; median of 7 rounds, one process):');
  console.log(`  ${'program'.padEnd(28)} ${'insns'.padStart(6)} ${'interp'.padStart(9)} ${'compiled'.padStart(9)} ${'×faster'.padStart(8)} ${'kernel'.padStart(9)} ${'×kernel'.padStart(8)}`);
  for (const c of cases) {
    const slow = measure(sim, c.exe, 'interpreter', Math.max(1, c.runs / 20), 7, Math.max(1, c.warm / 20));
    const fast = measure(sim, c.exe, 'compiled', c.runs, 7, c.warm);
    if (fast.r0 !== slow.r0 || fast.insns !== slow.insns) throw new Error(`${c.name}: tiers disagree (${slow.r0}/${slow.insns} vs ${fast.r0}/${fast.insns})`);
    const eng = engineOf(c.exe);
    const k = typeof kernel === 'string' || c.prog === null ? undefined : kernel.get(c.prog);
    console.log(
      `  ${c.name.padEnd(28)} ${String(fast.insns).padStart(6)} ${fmt(slow.ns)} ${fmt(fast.ns)} ${(slow.ns / fast.ns).toFixed(1).padStart(7)}×` +
        (k !== undefined ? ` ${fmt(k)} ${(fast.ns / k).toFixed(2).padStart(7)}×` : '') +
        (eng.engine === 'compiled' ? '' : `   (stayed on the interpreter: ${eng.reason})`),
    );
  }
  if (typeof kernel === 'string') console.log(`  kernel JIT: not measured (${kernel})`);
}

main();
