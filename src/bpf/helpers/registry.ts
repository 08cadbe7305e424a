// registry.ts: every helper tcxsim implements, keyed by the kernel's id. Families register
// themselves (helpers/<family>.ts); the loader refuses a program that calls an id not here
// (load time, not run time), and the VM gets a dense table of functions.
import { BpfFault } from '../fault.js';
import type { Region } from '../memory.js';
import type { HelperFn, Vm } from '../vm.js';
import type { HelperEnv } from './env.js';
import { helperName } from './ids.js';

export interface HelperDef {
  readonly id: number;
  readonly fn: HelperFn;
  /** In the kernel's bpf_helper_changes_pkt_data list: packet pointers are stale after the call. */
  readonly changesPktData?: boolean;
  /** Only GPL-compatible programs may call it (the kernel refuses to load otherwise). */
  readonly gplOnly?: boolean;
}

const defs = new Map<number, HelperDef>();

export function defineHelper(def: HelperDef): void {
  if (defs.has(def.id)) throw new Error(`helper ${helperName(def.id)} defined twice`);
  defs.set(def.id, def);
}

export function helperDef(id: number): HelperDef | undefined {
  return defs.get(id);
}

/**
 * The VM's table: index = helper id. Helpers that change packet data are wrapped so that every
 * packet pointer taken before the call faults afterwards, as the verifier would have refused it.
 */
export function helperTable(): (HelperFn | undefined)[] {
  const max = Math.max(0, ...defs.keys());
  const table = new Array<HelperFn | undefined>(max + 1).fill(undefined);
  for (const def of defs.values()) {
    const fn = def.fn;
    const name = helperName(def.id);
    table[def.id] = def.changesPktData
      ? (vm: Vm) => {
          fn(vm);
          const skb = (vm.env as HelperEnv).skb;
          vm.memory.replacePacket(skb.region, name);
          // legacy LD_ABS/LD_IND read relative to skb->data, which the helper may have moved
          vm.packetDataOffset = skb.data;
        }
      : fn;
  }
  return table;
}

/** Arguments r1..r5 as unsigned 32-bit numbers (most helper arguments are u32/int). */
export function argU32(vm: Vm, i: number): number {
  return vm.regs[2 * i] >>> 0;
}

export function argS32(vm: Vm, i: number): number {
  return vm.regs[2 * i];
}

export function argU64(vm: Vm, i: number): bigint {
  return vm.reg(i);
}

export function retU32(vm: Vm, v: number): void {
  vm.regs[0] = v | 0;
  vm.regs[1] = 0;
}

/** A negative errno or other signed int, sign-extended to 64 bits as `long` helpers return. */
export function retS64(vm: Vm, v: number): void {
  vm.regs[0] = v | 0;
  vm.regs[1] = v < 0 ? -1 : 0;
}

export function retU64(vm: Vm, v: bigint): void {
  vm.setReg(0, v);
}

/** The region and offset behind pointer r_i for a `size`-byte access (a fault when out of bounds). */
export function memArg(vm: Vm, i: number, size: number, write: boolean): { region: Region; offset: number } {
  return vm.memory.resolve(vm.regs[2 * i + 1], vm.regs[2 * i], size, write, vm.pc);
}

/** Bytes a helper argument points to: (r_i, size) resolved in the memory model, or a fault. */
export function argBytes(vm: Vm, i: number, size: number, write: boolean): Uint8Array {
  const { region, offset } = memArg(vm, i, size, write);
  return region.bytes.subarray(offset, offset + size);
}

/** The fault a helper raises where the verifier would have refused the program: "bpf_<name>: detail". */
export function helperFault(vm: Vm, id: number, detail: string): BpfFault {
  return new BpfFault('helper_fault', vm.pc, `${helperName(id)}: ${detail}`);
}
