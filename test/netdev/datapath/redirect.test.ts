// redirect.test.ts: redirect_peer into a pod namespace, redirect_neigh out of the node,
// clone_redirect, the xmit recursion limit (measured: test/fixtures/datapath/kernel-experiments.json),
// a receive loop bounded by the guard, and program faults.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Datapath } from '../../../src/netdev/datapath/datapath.js';
import { StaticTcxChains } from '../../../src/netdev/datapath/hooks.js';
import { World } from '../../../src/netdev/world.js';
import { parseIp, parsePrefix, parseMac, formatMac } from '../../../src/netdev/addr.js';
import { buildEthIpv4Udp } from '../../../src/packet/build.js';
import { faulty, prog, redirect, redirectNeigh, redirectPeer, testFrame, vethPair, TEST_ETHERTYPE } from './stubs.js';

const experiments = JSON.parse(readFileSync(new URL('../../fixtures/datapath/kernel-experiments.json', import.meta.url), 'utf8'));

/** host ns: wire eth0 + veth lxc0 <-> pod ns eth0 (Cilium-like). */
function node() {
  const world = new World(3);
  world.addNamespace('pod');
  const eth0 = world.addWire('init', 'eth0', parseMac('02:00:00:00:00:aa'));
  const [lxc0, podEth0] = world.addVeth({ ns: 'init', name: 'lxc0' }, { ns: 'pod', name: 'eth0' });
  const tcx = new StaticTcxChains();
  const dp = new Datapath(world, { tcx });
  const pod = world.ns('pod');
  pod.addAddress(podEth0, parsePrefix('10.1.0.5/24'));
  dp.listen(pod, TEST_ETHERTYPE);
  return { world, eth0, lxc0, podEth0, tcx, dp, pod, host: world.ns('init') };
}

describe('redirect_peer', () => {
  it('from the wire into the pod: another receive round on the peer, its ingress hook runs', () => {
    const { eth0, lxc0, podEth0, tcx, dp } = node();
    const log: string[] = [];
    const seen: string[] = [];
    dp.capture = { ingress: (dev) => seen.push(dev.path) };
    tcx.set(eth0, 'ingress', [prog('from_netdev', (skb) => redirectPeer(skb, lxc0.ifindex), log)]);
    tcx.set(podEth0, 'ingress', [prog('pod_ingress', -1, log)]);
    const frame = testFrame();
    frame.set(podEth0.mac, 0);
    dp.inject(eth0, frame);
    dp.run();
    expect(log).toEqual(['from_netdev', 'pod_ingress']);
    expect(seen).toEqual(['init/eth0', 'pod/eth0']);
    expect(dp.accounting.deliveredByNs.get('pod')).toBe(1);
    expect(podEth0.stats.rxPackets).toBe(1);
  });
  it('keeps the mark (no cross-netns scrub) and the frame is seen once on the peer', () => {
    const { eth0, lxc0, podEth0, tcx, dp } = node();
    let mark = -1;
    tcx.set(eth0, 'ingress', [
      prog('set', (skb) => {
        skb.mark = 42;
        return redirectPeer(skb, lxc0.ifindex);
      }),
    ]);
    tcx.set(podEth0, 'ingress', [prog('read', (skb) => ((mark = skb.mark), -1))]);
    dp.inject(eth0, testFrame());
    dp.run();
    expect(mark).toBe(42);
  });
  it('is refused at egress, for a peer in the same netns, and for a peer that is down', () => {
    const a = vethPair();
    a.tcx.set(a.tcxo0, 'egress', [prog('p', (skb) => redirectPeer(skb, a.tcxo1.ifindex))]);
    a.dp.send(a.tcxo0, testFrame());
    a.tcx.set(a.tcxo0, 'egress', []);
    a.tcx.set(a.tcxo0, 'ingress', [prog('p', (skb) => redirectPeer(skb, a.tcxo0.ifindex))]);
    a.dp.send(a.tcxo1, testFrame());
    a.dp.run();
    expect(a.dp.accounting.fates.map((f) => f.reason)).toEqual(['redirect_peer_invalid', 'redirect_peer_invalid']);
    const n = node();
    n.podEth0.up = false;
    n.tcx.set(n.eth0, 'ingress', [prog('p', (skb) => redirectPeer(skb, n.lxc0.ifindex))]);
    n.dp.inject(n.eth0, testFrame());
    n.dp.run();
    expect(n.dp.accounting.fates[0]!.detail).toMatch(/down/);
  });
});

describe('redirect_neigh', () => {
  it('pod traffic leaves eth0 with the neighbour MAC from the FIB route', () => {
    const { world, eth0, lxc0, podEth0, tcx, dp, host } = node();
    host.addAddress(eth0, parsePrefix('192.168.1.10/24'));
    host.routes.add({ dst: parsePrefix('default'), type: 'unicast', ifindex: eth0.ifindex, gateway: parseIp('192.168.1.1'), metric: 0, mtu: 0, table: 254 });
    host.neigh.add({ ifindex: eth0.ifindex, ip: parseIp('192.168.1.1'), mac: parseMac('02:00:00:00:01:01') });
    const out: Uint8Array[] = [];
    dp.capture = { wire: (_d, f) => out.push(f.slice()) };
    tcx.set(lxc0, 'ingress', [prog('to_netdev', (skb) => redirectNeigh(skb, eth0.ifindex))]);
    const frame = buildEthIpv4Udp({ src: '10.1.0.5', dst: '8.8.8.8', sport: 1000, dport: 53, srcMac: formatMac(podEth0.mac), dstMac: formatMac(lxc0.mac) });
    dp.send(podEth0, frame);
    dp.run();
    expect(out).toHaveLength(1);
    expect(formatMac(out[0]!.subarray(0, 6))).toBe('02:00:00:00:01:01');
    expect(formatMac(out[0]!.subarray(6, 12))).toBe(formatMac(eth0.mac));
    expect(out[0]!.subarray(14)).toEqual(frame.subarray(14));
    expect(dp.accounting.wireByDev.get('init/eth0')).toBe(1);
    void world;
  });
  it('without a neighbour the packet is dropped (neigh_failed)', () => {
    const { eth0, lxc0, podEth0, tcx, dp } = node();
    tcx.set(lxc0, 'ingress', [prog('to_netdev', (skb) => redirectNeigh(skb, eth0.ifindex))]);
    dp.send(podEth0, buildEthIpv4Udp({ src: '10.1.0.5', dst: '8.8.8.8', sport: 1, dport: 2, dstMac: formatMac(lxc0.mac) }));
    dp.run();
    expect(dp.accounting.fates[0]!.reason).toBe('neigh_failed');
    // the kernel would queue it behind an ARP probe; no tx counter moves (bpf_out_neigh_v4)
    expect(eth0.stats.txDropped).toBe(0);
  });
});

describe('clone_redirect', () => {
  it('the clone leaves at once, the original continues; the clone is counted as created', () => {
    const { eth0, tcx, dp, podEth0, lxc0 } = node();
    tcx.set(lxc0, 'ingress', [prog('mirror', () => dp.cloneRedirect(eth0.ifindex, 0))]);
    dp.send(podEth0, testFrame());
    dp.run();
    const acc = dp.accounting;
    expect(acc.created).toBe(1);
    expect(acc.wire).toBe(1);
    expect(acc.delivered).toBe(0); // no packet socket in init for 0x88b5: the original is unhandled
    expect(acc.fates.map((f) => f.origin + ':' + f.outcome)).toEqual(['clone:wire', 'injected:dropped']);
    expect(acc.balanced).toBe(true);
    expect(dp.cloneRedirect(1, 2)).toBe(-22); // no running program / bad flags
  });
});

describe('xmit recursion limit', () => {
  it(`egress self-redirect runs the program ${experiments.egress_self_redirect.program_runs} times, then drops`, () => {
    const { dp, tcx, tcxo0 } = vethPair();
    const log: string[] = [];
    tcx.set(tcxo0, 'egress', [prog('loop', (skb) => redirect(skb, tcxo0.ifindex), log)]);
    expect(dp.send(tcxo0, testFrame())).toBe(0);
    expect(log.length).toBe(experiments.egress_self_redirect.program_runs);
    expect(dp.accounting.fates.map((f) => f.reason)).toEqual(['xmit_recursion']);
  });
  it('an ingress redirect loop through the backlog is stopped by the receive-round guard', () => {
    const { dp, tcx, tcxo0, tcxo1 } = vethPair();
    tcx.set(tcxo0, 'ingress', [prog('loop', (skb) => redirect(skb, tcxo0.ifindex, 1))]);
    dp.send(tcxo1, testFrame());
    dp.run();
    expect(dp.accounting.fates.map((f) => f.reason)).toEqual(['loop_limit']);
  });
});

describe('program faults', () => {
  it('drop the packet with program_fault, name program and instruction, and the replay goes on', () => {
    const { dp, tcx, tcxo0, tcxo1 } = vethPair();
    const log: string[] = [];
    const bad = faulty('bad', 12, log);
    tcx.set(tcxo0, 'ingress', [bad, prog('after', -1, log)]);
    dp.send(tcxo1, testFrame());
    dp.run();
    const f = dp.accounting.fates[0]!;
    expect(f.reason).toBe('program_fault');
    expect(f.program).toEqual({ id: bad.id, name: 'bad', pc: 12 });
    expect(f.detail).toMatch(/out_of_bounds at insn 12/);
    expect(log).toEqual(['bad']);
    tcx.set(tcxo0, 'ingress', []);
    dp.send(tcxo1, testFrame());
    dp.run();
    expect(dp.accounting.delivered).toBe(1);
  });
  it('a thrown BpfFault in a cls_bpf filter is handled the same way', () => {
    const { dp, tcxo0 } = vethPair();
    dp.classic.addQdisc(tcxo0);
    const f = faulty('cls', 3);
    dp.classic.addFilter(tcxo0, 'egress', { prog: { ...f, run: (s) => { throw f.run(s); } }, directAction: true });
    dp.send(tcxo0, testFrame());
    expect(dp.accounting.fates[0]!.program?.pc).toBe(3);
  });
});
