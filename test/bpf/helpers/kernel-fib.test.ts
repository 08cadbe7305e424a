// kernel-fib.test.ts: replays test/fixtures/helpers/truth_fib.json (recorded from the real kernel
// by scripts/record-helper-truth.py in a private namespace): the fixture's topology (veth pairs,
// addresses, routes incl. blackhole/unreachable/prohibit and table 100, static neighbours,
// forwarding sysctls per phase) is rebuilt with tcxsim's netdev model, and bpfSkbFibLookup must
// give the kernel's return code and struct bpf_fib_lookup bytes for every case of the matrix.
import { describe, expect, it } from 'vitest';
import { parseIp, parseMac, parsePrefix } from '../../../src/netdev/addr.js';
import { NetNamespace } from '../../../src/netdev/netns.js';
import type { Route, RouteType } from '../../../src/netdev/route.js';
import { bpfSkbFibLookup } from '../../../src/netdev/stack/fib-lookup.js';
import { bytes, truthFixture } from './truth.js';

interface Topology {
  links: { name: string; peer: string; mac: string; peer_mac: string; mtu: number }[];
  addresses: [string, string][];
  routes: string[];
  neighbours: [string, string, string][];
  phases: Record<string, Record<string, number>>;
  ifindex: Record<string, number>;
  routes_shown: string[];
}
interface FibCase {
  phase: string;
  name: string;
  flags: number;
  data_len: number;
  params_in: string;
  ret: number;
  ret_plen63: number;
  params_out: string;
}
const fx = truthFixture<{ topology: Topology; cases: FibCase[] }>('fib');
const topo = fx.topology;


/** `ip route add` arguments as the recorder used them → a tcxsim Route. */
function route(spec: string, ns: NetNamespace): Route {
  const w = spec.split(' ');
  let type: RouteType = 'unicast';
  if (w[0] === 'blackhole' || w[0] === 'unreachable' || w[0] === 'prohibit') type = w.shift() as RouteType;
  const dst = parsePrefix(w.shift()!);
  const opt = (k: string): string | undefined => (w.indexOf(k) >= 0 ? w[w.indexOf(k) + 1] : undefined);
  const dev = opt('dev');
  const via = opt('via');
  const src = opt('src');
  // iproute2 defaults: IPv6 routes get metric 1024 (error routes on lo too), IPv4 0
  return {
    dst,
    type,
    ifindex: dev ? ns.device(dev).ifindex : 1,
    ...(via ? { gateway: parseIp(via) } : {}),
    ...(src ? { src: parseIp(src) } : {}),
    metric: Number(opt('metric') ?? (dst.family === 6 ? 1024 : 0)),
    mtu: Number(opt('mtu') ?? 0),
    table: Number(opt('table') ?? 254),
  };
}

function build(): NetNamespace {
  const ns = new NetNamespace('truth_fib', 2);
  for (const l of topo.links) {
    ns.addDevice(l.peer, 'veth', parseMac(l.peer_mac), topo.ifindex[l.peer]);
    ns.addDevice(l.name, 'veth', parseMac(l.mac), topo.ifindex[l.name]).mtu = l.mtu;
  }
  for (const [dev, a] of topo.addresses) ns.addAddress(ns.device(dev), parsePrefix(a));
  for (const r of topo.routes) ns.routes.add(route(r, ns));
  // the kernel's own IPv4 local-table entries tcxsim does not derive from addresses
  // (`broadcast 10.1.0.255 ...`, `local 127.0.0.0/8 ...`), as `ip route show table all` printed them
  const have = new Set(ns.routes.list().map((r) => `${r.table} ${Buffer.from(r.dst.addr).toString('hex')}/${r.dst.len}`));
  for (const line of topo.routes_shown) {
    const m = /^(broadcast|local) ([\d.]+(?:\/\d+)?) dev (\S+) table local .* src ([\d.]+)/.exec(line);
    if (!m) continue;
    const dst = parsePrefix(m[2]);
    if (have.has(`255 ${Buffer.from(dst.addr).toString('hex')}/${dst.len}`)) continue;
    const type = m[1] as RouteType;
    ns.routes.add({ dst, type, ifindex: ns.device(m[3]).ifindex, metric: 0, mtu: 0, table: 255, src: parseIp(m[4]) });
  }
  for (const [dev, ip, mac] of topo.neighbours) ns.neigh.add({ ifindex: ns.device(dev).ifindex, ip: parseIp(ip), mac: parseMac(mac) });
  return ns;
}

describe('bpf_fib_lookup against the kernel', () => {
  const ns = build();
  for (const c of fx.cases) {
    it(`${c.phase}: ${c.name}`, () => {
      const phase = topo.phases[c.phase];
      ns.forwarding[4] = phase['net.ipv4.ip_forward'] === 1;
      ns.forwarding[6] = phase['net.ipv6.conf.all.forwarding'] === 1;
      // net.ipv4.conf.<dev>.forwarding set on its own overrides ip_forward for that device
      for (const d of ns.devices.values()) {
        const own = phase[`net.ipv4.conf.${d.name}.forwarding`];
        d.ipv4Forwarding = own === undefined ? null : own === 1;
      }
      const p = bytes(c.params_in);
      expect(bpfSkbFibLookup(ns, p.slice(), 63, 0, { len: c.data_len, gsoSize: 0 }), 'plen 63').toBe(c.ret_plen63);
      const ret = bpfSkbFibLookup(ns, p, 64, c.flags, { len: c.data_len, gsoSize: 0 });
      expect({ ret, params: Buffer.from(p).toString('hex') }).toEqual({ ret: c.ret, params: c.params_out });
    });
  }
});
