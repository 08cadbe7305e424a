// stack.test.ts: forwarding between two namespaces through a router, ARP + ICMP echo round
// trips (IPv4 and IPv6), bpf_fib_lookup return codes, and accounting totals.
import { describe, expect, it } from 'vitest';
import { Datapath } from '../../../src/netdev/datapath/datapath.js';
import { World } from '../../../src/netdev/world.js';
import { formatMac, parseIp, parsePrefix } from '../../../src/netdev/addr.js';
import { buildArp, buildEthIpv4IcmpEcho, buildEthIpv6IcmpEcho, buildEthIpv4Udp } from '../../../src/packet/build.js';
import { checksumOk } from '../../../src/packet/checksum.js';
import * as F from '../../../src/netdev/stack/fib-lookup.js';

function routed() {
  const world = new World(5);
  for (const n of ['a', 'r', 'b']) world.addNamespace(n);
  const [a0, ra] = world.addVeth({ ns: 'a', name: 'eth0' }, { ns: 'r', name: 'to_a' });
  const [b0, rb] = world.addVeth({ ns: 'b', name: 'eth0' }, { ns: 'r', name: 'to_b' });
  const [A, R, B] = [world.ns('a'), world.ns('r'), world.ns('b')];
  A.addAddress(a0, parsePrefix('10.0.1.2/24'));
  R.addAddress(ra, parsePrefix('10.0.1.1/24'));
  R.addAddress(rb, parsePrefix('10.0.2.1/24'));
  B.addAddress(b0, parsePrefix('10.0.2.2/24'));
  A.routes.add({ dst: parsePrefix('default'), type: 'unicast', ifindex: a0.ifindex, gateway: parseIp('10.0.1.1'), metric: 0, mtu: 0, table: 254 });
  B.routes.add({ dst: parsePrefix('default'), type: 'unicast', ifindex: b0.ifindex, gateway: parseIp('10.0.2.1'), metric: 0, mtu: 0, table: 254 });
  A.neigh.add({ ifindex: a0.ifindex, ip: parseIp('10.0.1.1'), mac: ra.mac });
  B.neigh.add({ ifindex: b0.ifindex, ip: parseIp('10.0.2.1'), mac: rb.mac });
  R.neigh.add({ ifindex: ra.ifindex, ip: parseIp('10.0.1.2'), mac: a0.mac });
  R.neigh.add({ ifindex: rb.ifindex, ip: parseIp('10.0.2.2'), mac: b0.mac });
  R.forwarding[4] = true;
  const dp = new Datapath(world);
  return { world, dp, a0, ra, rb, b0, A, R, B };
}

describe('forwarding between two namespaces', () => {
  it('a -> r -> b: TTL decremented with a valid checksum, MACs rewritten; the echo reply comes back', () => {
    const { dp, a0, ra, rb, b0 } = routed();
    const seen: Uint8Array[] = [];
    dp.capture = { ingress: (dev, f) => dev === b0 && seen.push(f.slice()) };
    dp.send(a0, buildEthIpv4IcmpEcho({ src: '10.0.1.2', dst: '10.0.2.2', id: 7, seq: 1, payload: 'ping', srcMac: formatMac(a0.mac), dstMac: formatMac(ra.mac) }));
    dp.run();
    expect(seen).toHaveLength(1);
    const f = seen[0]!;
    expect(formatMac(f.subarray(0, 6))).toBe(formatMac(b0.mac));
    expect(formatMac(f.subarray(6, 12))).toBe(formatMac(rb.mac));
    expect(f[14 + 8]).toBe(63);
    expect(checksumOk(f, 14, 20)).toBe(true);
    const acc = dp.accounting;
    expect(acc.deliveredByNs.get('b')).toBe(1); // the request
    expect(acc.deliveredByNs.get('a')).toBe(1); // the reply, forwarded back by r
    expect(acc.totals()).toMatchObject({ entered: 1, created: 1, delivered: 2, dropped: 0, inFlight: 0 });
  });
  it('drops with a reason: forwarding disabled, TTL 1, no route, MTU with DF', () => {
    const cases: [(e: ReturnType<typeof routed>) => void, Record<string, unknown>, string][] = [
      [(e) => (e.R.forwarding[4] = false), {}, 'ip_noroute'],
      [() => {}, { ttl: 1 }, 'ip_ttl'],
      [() => {}, { dst: '10.9.9.9' }, 'ip_noroute'],
      [(e) => (e.rb.mtu = 100), { df: true, payload: 200 }, 'pkt_too_big'],
    ];
    for (const [setup, opts, reason] of cases) {
      const e = routed();
      setup(e);
      e.dp.send(e.a0, buildEthIpv4Udp({ src: '10.0.1.2', dst: '10.0.2.2', sport: 1, dport: 2, dstMac: formatMac(e.ra.mac), ...opts }));
      e.dp.run();
      expect(e.dp.accounting.fates.map((f) => f.reason)).toEqual([reason]);
    }
  });
  it('a frame for another MAC is dropped as otherhost', () => {
    const e = routed();
    e.dp.send(e.a0, buildEthIpv4Udp({ src: '10.0.1.2', dst: '10.0.2.2', sport: 1, dport: 2, dstMac: '02:99:99:99:99:99' }));
    e.dp.run();
    expect(e.dp.accounting.fates[0]!.reason).toBe('otherhost');
  });
});

describe('ARP and ICMP echo', () => {
  it('an ARP request for a local address is answered, the sender learnt', () => {
    const { dp, a0, ra, R } = routed();
    const replies: Uint8Array[] = [];
    dp.capture = { ingress: (dev, f) => dev === a0 && replies.push(f.slice()) };
    dp.send(a0, buildArp({ op: 'request', srcMac: formatMac(a0.mac), senderIp: '10.0.1.2', targetIp: '10.0.1.1' }));
    dp.run();
    expect(replies).toHaveLength(1);
    const r = replies[0]!;
    expect((r[12]! << 8) | r[13]!).toBe(0x0806);
    expect(r[14 + 7]).toBe(2);
    expect(formatMac(r.subarray(22, 28))).toBe(formatMac(ra.mac));
    expect(R.neigh.lookup(ra.ifindex, parseIp('10.0.1.2'))?.mac).toEqual(a0.mac);
    expect(dp.accounting.totals()).toMatchObject({ entered: 1, created: 1, delivered: 2 });
  });
  it('IPv6 echo round trip between directly connected namespaces', () => {
    const world = new World(9);
    world.addNamespace('x');
    world.addNamespace('y');
    const [x0, y0] = world.addVeth({ ns: 'x', name: 'eth0' }, { ns: 'y', name: 'eth0' });
    world.ns('x').addAddress(x0, parsePrefix('fd00::1/64'));
    world.ns('y').addAddress(y0, parsePrefix('fd00::2/64'));
    world.ns('y').neigh.add({ ifindex: y0.ifindex, ip: parseIp('fd00::1'), mac: x0.mac });
    const dp = new Datapath(world);
    dp.send(x0, buildEthIpv6IcmpEcho({ src: 'fd00::1', dst: 'fd00::2', id: 1, seq: 1, srcMac: formatMac(x0.mac), dstMac: formatMac(y0.mac) }));
    dp.run();
    expect(dp.accounting.deliveredByNs.get('y')).toBe(1);
    expect(dp.accounting.deliveredByNs.get('x')).toBe(1);
    expect(dp.accounting.fates[1]).toMatchObject({ origin: 'reply', outcome: 'delivered', where: 'x' });
  });
});

describe('bpf_fib_lookup', () => {
  function params(dst: string, ifindex: number, family = 2, totLen = 0): Uint8Array {
    const p = new Uint8Array(64);
    const v = new DataView(p.buffer);
    p[0] = family;
    v.setUint16(6, totLen, true);
    v.setUint32(8, ifindex, true);
    p.set(parseIp(dst), 32);
    return p;
  }
  it('success: next hop, MACs, ifindex, metric, mtu_result', () => {
    const { R, ra, rb, b0 } = routed();
    const p = params('10.0.2.2', ra.ifindex);
    expect(F.bpfSkbFibLookup(R, p, 64, 0, { len: 100 })).toBe(F.BPF_FIB_LKUP_RET_SUCCESS);
    const v = new DataView(p.buffer);
    expect(v.getUint32(8, true)).toBe(rb.ifindex);
    expect(p.subarray(58, 64)).toEqual(b0.mac);
    expect(p.subarray(52, 58)).toEqual(rb.mac);
    expect(v.getUint16(6, true)).toBe(1500);
  });
  it('return codes', () => {
    const e = routed();
    const { R, ra } = e;
    R.routes.add({ dst: parsePrefix('10.66.0.0/16'), type: 'blackhole', ifindex: 0, metric: 0, mtu: 0, table: 254 });
    R.routes.add({ dst: parsePrefix('10.67.0.0/16'), type: 'unreachable', ifindex: 0, metric: 0, mtu: 0, table: 254 });
    R.routes.add({ dst: parsePrefix('10.68.0.0/16'), type: 'prohibit', ifindex: 0, metric: 0, mtu: 0, table: 254 });
    R.routes.add({ dst: parsePrefix('10.0.3.0/24'), type: 'unicast', ifindex: ra.ifindex, gateway: parseIp('10.0.1.99'), metric: 5, mtu: 0, table: 254 });
    const run = (p: Uint8Array, flags = 0) => F.bpfSkbFibLookup(R, p, 64, flags, null);
    expect(run(params('10.66.1.1', ra.ifindex))).toBe(F.BPF_FIB_LKUP_RET_BLACKHOLE);
    expect(run(params('10.67.1.1', ra.ifindex))).toBe(F.BPF_FIB_LKUP_RET_UNREACHABLE);
    expect(run(params('10.68.1.1', ra.ifindex))).toBe(F.BPF_FIB_LKUP_RET_PROHIBIT);
    expect(run(params('10.0.1.1', ra.ifindex))).toBe(F.BPF_FIB_LKUP_RET_NOT_FWDED); // local
    expect(run(params('172.16.0.1', ra.ifindex))).toBe(F.BPF_FIB_LKUP_RET_NOT_FWDED); // no route
    const nn = params('10.0.3.4', ra.ifindex);
    expect(run(nn)).toBe(F.BPF_FIB_LKUP_RET_NO_NEIGH);
    expect(nn.subarray(32, 36)).toEqual(parseIp('10.0.1.99')); // gateway written back
    expect(run(params('10.0.3.4', ra.ifindex), F.BPF_FIB_LOOKUP_SKIP_NEIGH)).toBe(0);
    expect(new DataView(nn.buffer).getUint32(12, true)).toBe(5); // rt_metric
    const big = params('10.0.2.2', ra.ifindex, 2, 1600);
    expect(run(big)).toBe(F.BPF_FIB_LKUP_RET_FRAG_NEEDED);
    expect(new DataView(big.buffer).getUint16(6, true)).toBe(1500);
    expect(F.bpfSkbFibLookup(R, params('10.0.2.2', ra.ifindex), 64, 0, { len: 1600 })).toBe(F.BPF_FIB_LKUP_RET_FRAG_NEEDED);
    expect(run(params('10.0.2.2', ra.ifindex), F.BPF_FIB_LOOKUP_DIRECT | F.BPF_FIB_LOOKUP_TBID)).toBe(F.BPF_FIB_LKUP_RET_NOT_FWDED); // table 0
    expect(run(params('10.0.2.2', 99))).toBe(-19); // -ENODEV
    expect(F.bpfSkbFibLookup(R, params('10.0.2.2', ra.ifindex), 63, 0, null)).toBe(-22);
    expect(run(params('10.0.2.2', ra.ifindex), 0x40)).toBe(-22);
    expect(run(params('10.0.2.2', ra.ifindex, 99))).toBe(-97); // -EAFNOSUPPORT
    const src = params('10.0.2.2', ra.ifindex);
    expect(run(src, F.BPF_FIB_LOOKUP_SRC)).toBe(0);
    expect(src.subarray(16, 20)).toEqual(parseIp('10.0.2.1'));
    R.forwarding[4] = false;
    expect(run(params('10.0.2.2', ra.ifindex))).toBe(F.BPF_FIB_LKUP_RET_FWD_DISABLED);
  });
  it('IPv6: link-local is never forwarded, no source address', () => {
    const world = new World(2);
    const w = world.addWire('init', 'eth0');
    const ns = world.ns('init');
    ns.forwarding[6] = true;
    ns.routes.add({ dst: parsePrefix('fd00::/64'), type: 'unicast', ifindex: w.ifindex, metric: 1024, mtu: 0, table: 254 });
    expect(F.bpfSkbFibLookup(ns, params('fe80::1', w.ifindex, 10), 64, 0, null)).toBe(F.BPF_FIB_LKUP_RET_NOT_FWDED);
    expect(F.bpfSkbFibLookup(ns, params('fd00::5', w.ifindex, 10), 64, F.BPF_FIB_LOOKUP_SRC, null)).toBe(F.BPF_FIB_LKUP_RET_NO_SRC_ADDR);
    expect(F.bpfSkbFibLookup(ns, params('fd00::5', w.ifindex, 10), 64, F.BPF_FIB_LOOKUP_SKIP_NEIGH, null)).toBe(0);
  });
});
