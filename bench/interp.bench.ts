// interp.bench.ts: interpreter speed on compute-bound programs (a 64-bit hash loop, a byte-wise
// memcpy, a prime sieve), in million instructions per second. Each figure is the median of
// several timed rounds after warm-up, all measured in this one run.
import { decodeHex, insn, type Insn } from '../src/bpf/insn.js';
import { Region } from '../src/bpf/memory.js';
import * as op from '../src/bpf/opcodes.js';
import { pointer, Vm, type Executable } from '../src/bpf/vm.js';

/** A label, or an instruction whose jump offset is resolved from a label. */
type Item = Insn | string | { jump: Insn; to: string };

function build(name: string, items: Item[]): Executable {
  const labels = new Map<string, number>();
  let pc = 0;
  for (const it of items) {
    if (typeof it === 'string') labels.set(it, pc);
    else pc++;
  }
  const insns: Insn[] = [];
  for (const it of items) {
    if (typeof it === 'string') continue;
    if ('jump' in it) {
      const target = labels.get(it.to);
      if (target === undefined) throw new Error(`${name}: no label ${it.to}`);
      insns.push({ ...it.jump, off: target - insns.length - 1 });
    } else insns.push(it);
  }
  return { name, insns };
}

const A64 = op.BPF_ALU64;
const K = op.BPF_K;
const X = op.BPF_X;
const movK = (d: number, imm: number): Insn => insn(A64 | op.BPF_MOV | K, d, 0, 0, imm);
const movX = (d: number, s: number): Insn => insn(A64 | op.BPF_MOV | X, d, s);
const aluK = (o: number, d: number, imm: number): Insn => insn(A64 | o | K, d, 0, 0, imm);
const aluX = (o: number, d: number, s: number): Insn => insn(A64 | o | X, d, s);
const jK = (o: number, d: number, imm: number, to: string): Item => ({ jump: insn(op.BPF_JMP | o | K, d, 0, 0, imm), to });
const ja = (to: string): Item => ({ jump: insn(op.BPF_JMP | op.BPF_JA), to });
const lddw = (d: number, v: bigint): Insn[] => [
  insn(op.BPF_LD | op.BPF_IMM | op.BPF_DW, d, 0, 0, Number(BigInt.asIntN(32, v))),
  insn(0, 0, 0, 0, Number(BigInt.asIntN(32, v >> 32n))),
];
const ldxb = (d: number, s: number, off: number): Insn => insn(op.BPF_LDX | op.BPF_MEM | op.BPF_B, d, s, off);
const stxb = (d: number, s: number, off: number): Insn => insn(op.BPF_STX | op.BPF_MEM | op.BPF_B, d, s, off);
const stb = (d: number, off: number, imm: number): Insn => insn(op.BPF_ST | op.BPF_MEM | op.BPF_B, d, 0, off, imm);
const exit = insn(op.BPF_JMP | op.BPF_EXIT);

/** FNV-1a-style 64-bit mixing over a counter: xor, 64x64 multiply, shift-xor, add per round. */
function hashLoop(rounds: number): Executable {
  return build('hash64', [
    ...lddw(0, 0xcbf29ce484222325n),
    ...lddw(2, 0x100000001b3n),
    movK(1, 0),
    'loop',
    movX(3, 1),
    aluK(op.BPF_AND, 3, 0xff),
    aluX(op.BPF_XOR, 0, 3),
    aluX(op.BPF_MUL, 0, 2),
    movX(4, 0),
    aluK(op.BPF_RSH, 4, 29),
    aluX(op.BPF_XOR, 0, 4),
    aluX(op.BPF_ADD, 0, 1),
    aluK(op.BPF_ADD, 1, 1),
    jK(op.BPF_JLT, 1, rounds, 'loop'),
    exit,
  ]);
}

/**
 * The same kind of loop as clang 14 -O2 -target bpf emits it (32 insns, 20 in the loop body), from:
 *   u64 h = 0xcbf29ce484222325; for (u32 i = 0; i < 100000; i++) { u64 k = (u64)i * 0x9e3779b97f4a7c15;
 *   k ^= k >> 29; h ^= k; h *= 0x100000001b3; h = (h << 13) | (h >> 51); h += (u32)(h >> 7) ^ i; }
 *   return (int)(h ^ (h >> 32));
 */
const CLANG_HASH_HEX =
  '180000002523228400000000e49cf2cbb70100000000000018020000b3010000' +
  '000000000001000018030000157c4a7f00000000b979379eb704000000000000' +
  'bf15000000000000af05000000000000bf10000000000000770000001d000000' +
  'af050000000000002f25000000000000bf500000000000007700000033000000' +
  '670500000d0000004f050000000000000f31000000000000bf50000000000000' +
  '7700000007000000bc46000000000000ac060000000000000f65000000000000' +
  '0704000001000000bf5000000000000015040100a08601000500ecff00000000' +
  'bf500000000000007700000020000000ac500000000000009500000000000000';

function clangHashReference(): bigint {
  const M = (1n << 64n) - 1n;
  let h = 0xcbf29ce484222325n;
  for (let i = 0n; i < 100000n; i++) {
    let k = (i * 0x9e3779b97f4a7c15n) & M;
    k ^= k >> 29n;
    h ^= k;
    h = (h * 0x100000001b3n) & M;
    h = ((h << 13n) | (h >> 51n)) & M;
    h = (h + (((h >> 7n) & 0xffffffffn) ^ i)) & M;
  }
  return (h ^ (h >> 32n)) & 0xffffffffn;
}

/** Copies `len` bytes one at a time from r1's region to r2's region. */
function memcpy(len: number): Executable {
  return build('memcpy', [
    movK(6, 0),
    'loop',
    movX(3, 1),
    aluX(op.BPF_ADD, 3, 6),
    ldxb(4, 3, 0),
    movX(5, 2),
    aluX(op.BPF_ADD, 5, 6),
    stxb(5, 4, 0),
    aluK(op.BPF_ADD, 6, 1),
    jK(op.BPF_JLT, 6, len, 'loop'),
    movX(0, 6),
    exit,
  ]);
}

/** Sieve of Eratosthenes over an n-byte array at r1; returns the number of primes below n. */
function sieve(n: number): Executable {
  return build('sieve', [
    movK(6, 0),
    'clear',
    movX(3, 1),
    aluX(op.BPF_ADD, 3, 6),
    stb(3, 0, 0),
    aluK(op.BPF_ADD, 6, 1),
    jK(op.BPF_JLT, 6, n, 'clear'),
    movK(0, 0),
    movK(6, 2),
    'outer',
    movX(3, 1),
    aluX(op.BPF_ADD, 3, 6),
    ldxb(4, 3, 0),
    jK(op.BPF_JNE, 4, 0, 'next'),
    aluK(op.BPF_ADD, 0, 1),
    movX(7, 6),
    aluX(op.BPF_MUL, 7, 6),
    'inner',
    jK(op.BPF_JGE, 7, n, 'next'),
    movX(3, 1),
    aluX(op.BPF_ADD, 3, 7),
    stb(3, 0, 1),
    aluX(op.BPF_ADD, 7, 6),
    ja('inner'),
    'next',
    aluK(op.BPF_ADD, 6, 1),
    jK(op.BPF_JLT, 6, n, 'outer'),
    exit,
  ]);
}

interface Case {
  name: string;
  exe: Executable;
  r1: bigint;
  r2: bigint;
  expect: bigint;
}

function measure(vm: Vm, c: Case, rounds: number, runsPerRound: number): { mips: number; insns: number } {
  const limit = 1e9;
  const check = vm.run(c.exe, c.r1, { r2: c.r2, insnLimit: limit });
  if (check.fault) throw new Error(`${c.name}: ${check.fault.describe()}`);
  if (check.r0u64 !== c.expect) throw new Error(`${c.name}: r0 = ${check.r0u64}, expected ${c.expect}`);
  for (let k = 0; k < runsPerRound; k++) vm.run(c.exe, c.r1, { r2: c.r2, insnLimit: limit }); // warm-up
  const figures: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let insns = 0;
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < runsPerRound; k++) insns += vm.run(c.exe, c.r1, { r2: c.r2, insnLimit: limit }).insnCount;
    const ns = Number(process.hrtime.bigint() - t0);
    figures.push((insns / ns) * 1e3);
  }
  figures.sort((a, b) => a - b);
  return { mips: figures[figures.length >> 1], insns: check.insnCount };
}

/** The reference value of hashLoop, computed with BigInt. */
function hashReference(rounds: number): bigint {
  const M = (1n << 64n) - 1n;
  let h = 0xcbf29ce484222325n;
  for (let i = 0n; i < BigInt(rounds); i++) {
    h ^= i & 0xffn;
    h = (h * 0x100000001b3n) & M;
    h ^= h >> 29n;
    h = (h + i) & M;
  }
  return h;
}

const vm = new Vm();
const copyLen = 4096;
const sieveN = 65536;
const src = new Uint8Array(copyLen).map((_, k) => k * 7);
const srcTag = vm.memory.addStatic(new Region('src', src, false));
const dstTag = vm.memory.addStatic(new Region('dst', new Uint8Array(copyLen), true));
const sieveTag = vm.memory.addStatic(new Region('sieve', new Uint8Array(sieveN), true));
const hashRounds = 200_000;
const cases: Case[] = [
  { name: '64-bit hash loop', exe: hashLoop(hashRounds), r1: 0n, r2: 0n, expect: hashReference(hashRounds) },
  { name: '64-bit hash loop (clang -O2)', exe: { name: 'clang-hash', insns: decodeHex(CLANG_HASH_HEX) }, r1: 0n, r2: 0n, expect: clangHashReference() },
  { name: 'byte-wise memcpy (4 KiB)', exe: memcpy(copyLen), r1: pointer(srcTag, 0), r2: pointer(dstTag, 0), expect: BigInt(copyLen) },
  { name: `prime sieve (n = ${sieveN})`, exe: sieve(sieveN), r1: pointer(sieveTag, 0), r2: 0n, expect: 6542n },
];

console.log('interpreter (million instructions per second, median of 7 rounds):');
for (const c of cases) {
  const runs = c.name.startsWith('byte') ? 400 : c.name.startsWith('prime') ? 20 : 10;
  const { mips, insns } = measure(vm, c, 7, runs);
  console.log(`  ${c.name.padEnd(30)} ${mips.toFixed(0).padStart(5)} M insn/s   (${insns} insns a run)`);
}
