// stubs.ts: JS stand-ins for BPF programs and the redirect helpers, and a veth topology like the
// one datapath-findings.md was measured on (tcxo0 <-> tcxo1 in one namespace).
import type { Skb } from '../../../src/bpf/skb/skb.js';
import { BpfFault } from '../../../src/bpf/fault.js';
import { Datapath } from '../../../src/netdev/datapath/datapath.js';
import { StaticTcxChains, type HookProgram } from '../../../src/netdev/datapath/hooks.js';
import { World } from '../../../src/netdev/world.js';
import { parseMac } from '../../../src/netdev/addr.js';

let nextId = 100;

/** A program that logs its name into `log` and returns `r0` (a 64-bit value truncated like the kernel). */
export function prog(name: string, r0: number | bigint | ((skb: Skb) => number), log?: string[]): HookProgram {
  return {
    id: nextId++,
    name,
    run(skb: Skb): number {
      log?.push(name);
      if (typeof r0 === 'function') return r0(skb);
      return Number(BigInt.asIntN(32, BigInt(r0)));
    },
  };
}

export function faulty(name: string, pc: number, log?: string[]): HookProgram {
  return {
    id: nextId++,
    name,
    run(): BpfFault {
      log?.push(name);
      return new BpfFault('out_of_bounds', pc, 'read past data_end', 'packet', 60, 4);
    },
  };
}

/** bpf_redirect(ifindex, flags) as the helper records it; returns TC_ACT_REDIRECT. */
export function redirect(skb: Skb, ifindex: number, flags = 0): number {
  skb.redirect.set('redirect', ifindex, flags);
  return 7;
}
export function redirectPeer(skb: Skb, ifindex: number): number {
  skb.redirect.set('peer', ifindex, 0);
  return 7;
}
export function redirectNeigh(skb: Skb, ifindex: number): number {
  skb.redirect.set('neigh', ifindex, 0);
  return 7;
}

export const TEST_ETHERTYPE = 0x88b5;

/** The findings' test frame: broadcast, ethertype 0x88B5, 46 zero bytes. */
export function testFrame(ethertype = TEST_ETHERTYPE): Uint8Array {
  const f = new Uint8Array(60);
  f.fill(0xff, 0, 6);
  f.set(parseMac('02:00:00:00:00:01'), 6);
  f[12] = ethertype >> 8;
  f[13] = ethertype & 0xff;
  return f;
}

export function vethPair() {
  const world = new World(7);
  const [tcxo0, tcxo1] = world.addVeth({ ns: 'init', name: 'tcxo0' }, { ns: 'init', name: 'tcxo1' });
  const tcx = new StaticTcxChains();
  const dp = new Datapath(world, { tcx });
  dp.listen(world.ns('init'), TEST_ETHERTYPE);
  return { world, tcxo0, tcxo1, tcx, dp };
}
