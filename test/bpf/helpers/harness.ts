// harness.ts: calls one helper the way the VM does (helperTable()[id](vm)) on an skb built like
// BPF_PROG_TEST_RUN builds it, with a scratch region for pointer arguments, plus readers for the
// kernel fixtures (test/fixtures/kernel/*.json) and an independent checksum verifier.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindSkb } from '../../../src/bpf/context/bind.js';
import { SkBuffContext } from '../../../src/bpf/context/sk-buff-ctx.js';
import { skbFromTestRun } from '../../../src/bpf/context/test-run.js';
import type { HelperEnv } from '../../../src/bpf/helpers/env.js';
import '../../../src/bpf/helpers/index.js';
import { helperTable } from '../../../src/bpf/helpers/registry.js';
import { Memory, Region, TAG_CTX } from '../../../src/bpf/memory.js';
import type { Skb } from '../../../src/bpf/skb/skb.js';
import { Vm, pointer } from '../../../src/bpf/vm.js';
import { SimClock } from '../../../src/sim/clock.js';
import { Prng } from '../../../src/sim/prng.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'kernel');

export interface KernelRun {
  prog: string;
  data_in: string;
  ctx_in: string | null;
  retval: number;
  data_out: string;
  ctx_out: string;
}

export function kernelRuns(object: string, prog?: string): KernelRun[] {
  const f = JSON.parse(readFileSync(join(FIXTURES, `${object}.json`), 'utf8')) as { runs: KernelRun[] };
  return prog === undefined ? f.runs : f.runs.filter((r) => r.prog === prog);
}

export function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** cb[i] of a recorded ctx_out (offset 48 + 4i, little-endian). */
export function cbOut(run: KernelRun, i: number): number {
  return Buffer.from(run.ctx_out, 'hex').readUInt32LE(48 + 4 * i);
}

export function markOut(run: KernelRun): number {
  return Buffer.from(run.ctx_out, 'hex').readUInt32LE(8);
}

/** A 64-bit helper argument: a number/bigint, or a pointer into the scratch region. */
export type Arg = number | bigint | { ptr: number };

const SCRATCH_SIZE = 4096;

export class HelperBench {
  readonly memory = new Memory();
  readonly vm = new Vm(this.memory);
  readonly ctx: SkBuffContext;
  readonly env: HelperEnv;
  /** Pointer arguments live here: `{ ptr: off }` is (scratchTag, off). */
  readonly scratch = new Uint8Array(SCRATCH_SIZE);
  readonly scratchTag: number;
  private readonly table = helperTable();

  constructor(frame: Uint8Array | string, ctxIn: Uint8Array | null = null) {
    const skb = skbFromTestRun(typeof frame === 'string' ? hex(frame) : frame, ctxIn);
    this.ctx = new SkBuffContext(this.memory, skb);
    bindSkb(this.ctx);
    this.scratchTag = this.memory.addStatic(new Region('scratch', this.scratch, true));
    this.env = {
      skb,
      cpu: 0,
      cpus: 1,
      clock: new SimClock(),
      prng: new Prng(1),
      printk: { printk: () => undefined },
      progName: 'test',
      maps: new Map(),
      progs: new Map(),
    };
    this.vm.env = this.env;
  }

  get skb(): Skb {
    return this.env.skb;
  }

  /** The packet bytes (data .. tail) as hex. */
  get data(): string {
    return toHex(this.skb.bytes());
  }

  /** Calls helper `id` with r1 = ctx and r2.. = args; returns r0 as a signed 64-bit BigInt. */
  call(id: number, ...args: Arg[]): bigint {
    return this.callRaw(id, pointer(TAG_CTX, 0), ...args);
  }

  /** Calls helper `id` with r1.. = args exactly (for helpers whose r1 is not the ctx). */
  callRaw(id: number, ...args: Arg[]): bigint {
    const fn = this.table[id];
    if (fn === undefined) throw new Error(`helper ${id} not registered`);
    const vm = this.vm;
    vm.regs.fill(0);
    args.forEach((a, i) => vm.setReg(i + 1, typeof a === 'object' ? pointer(this.scratchTag, a.ptr) : a));
    fn(vm);
    return BigInt.asIntN(64, vm.reg(0));
  }

  /** Helper result as the program stores it into a u32 cb[] slot. */
  callU32(id: number, ...args: Arg[]): number {
    return Number(BigInt.asUintN(32, this.call(id, ...args)));
  }

  put(off: number, bytes: Uint8Array | number[] | string): { ptr: number } {
    this.scratch.set(typeof bytes === 'string' ? hex(bytes) : bytes, off);
    return { ptr: off };
  }

  bytesAt(off: number, len: number): string {
    return toHex(this.scratch.subarray(off, off + len));
  }
}

/** 16-bit ones'-complement sum of bytes [off, off+len), big-endian words (independent of src/). */
function sum16(b: Uint8Array, off: number, len: number, acc = 0): number {
  let s = acc;
  for (let i = 0; i + 1 < len; i += 2) s += (b[off + i] << 8) | b[off + i + 1];
  if (len & 1) s += b[off + len - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** True when the IPv4 header at `ip` and its TCP/UDP segment have valid checksums. */
export function ipv4ChecksumsValid(frame: Uint8Array, ip = 14): { l3: boolean; l4: boolean | null } {
  const ihl = (frame[ip] & 0x0f) * 4;
  const l3 = sum16(frame, ip, ihl) === 0xffff;
  const total = (frame[ip + 2] << 8) | frame[ip + 3];
  const proto = frame[ip + 9];
  const l4off = ip + ihl;
  const l4len = total - ihl;
  if (l4off + l4len > frame.length || (proto !== 6 && proto !== 17)) return { l3, l4: null };
  if (proto === 17 && frame[l4off + 6] === 0 && frame[l4off + 7] === 0) return { l3, l4: true };
  const pseudo = sum16(frame, ip + 12, 8, proto + l4len);
  return { l3, l4: sum16(frame, l4off, l4len, pseudo) === 0xffff };
}
