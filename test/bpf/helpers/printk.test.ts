// bpf_trace_printk formatting as bpf_bprintf_prepare validates it and lib/vsprintf.c prints it.
import { describe, expect, it } from 'vitest';
import { Region } from '../../../src/bpf/memory.js';
import { bprintf, tracePipeLine } from '../../../src/bpf/helpers/printk.js';
import { Simulator } from '../../../src/sim/simulator.js';

const sim = new Simulator();
const ptr = (bytes: Uint8Array): bigint => BigInt(sim.memory.addStatic(new Region('m', bytes, false))) << 32n;
const ip4 = ptr(Uint8Array.of(10, 0, 0, 1));
const ip6 = ptr(Uint8Array.of(0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1));
const str = ptr(new TextEncoder().encode('veth0\0junk'));
const fmt = (f: string, ...a: bigint[]) => bprintf(sim.vm, f, [...a, 0n, 0n, 0n].slice(0, 3));

describe('bpf_trace_printk formats', () => {
  it('prints integers with l/ll, signs and widths', () => {
    expect(fmt('%d %u %x', -1n, -1n, 255n)).toBe('-1 4294967295 ff');
    expect(fmt('%lld %llx', -2n, 0x1_0000_0000n)).toBe('-2 100000000');
    expect(fmt('[%5d|%-5d|%05d]', 42n, 42n, -42n)).toBe('[   42|42   |-0042]');
    expect(fmt('%X %%', 0xabn)).toBe('AB %');
  });
  it('prints addresses the way vsprintf does', () => {
    expect(fmt('%pI4 %pi4', ip4, ip4)).toBe('10.0.0.1 010.000.000.001');
    expect(fmt('%pI6', ip6)).toBe('fd00:0000:0000:0000:0000:0000:0000:0001');
    expect(fmt('%pi6', ip6)).toBe('fd000000000000000000000000000001');
  });
  it('prints strings up to the NUL and characters', () => {
    expect(fmt('dev=%s c=%c', str, 65n)).toBe('dev=veth0 c=A');
  });
  it('refuses what bpf_bprintf_prepare refuses', () => {
    expect(fmt('%q', 1n)).toBe(-22);
    expect(fmt('%d %d %d %d', 1n, 2n, 3n)).toBe(-22);
    expect(fmt('%lc', 65n)).toBe(-22);
    expect(fmt('bell\x07', 0n)).toBe(-22);
  });
  it('writes trace_pipe lines stamped with the simulated clock', () => {
    expect(tracePipeLine('count_flows', 0, 1_500_000_000n, 'hi 1')).toBe(
      '         count_flows-0     [000] b..1.     1.500000: bpf_trace_printk: hi 1',
    );
  });
});
