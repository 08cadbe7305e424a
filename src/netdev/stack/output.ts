// output.ts: the L3 output side: neighbour output (static neighbour -> Ethernet header ->
// dev_queue_xmit), ip_local_out for packets the stack creates (route, then neighbour), and
// bpf_redirect_neigh (net/core/filter.c __bpf_redirect_neigh: pop L2, FIB with oif or the
// given nexthop, neighbour output on the target, one xmit recursion level deeper).
import { ETH_HLEN, ETH_P_IP, ETH_P_IPV6 } from '../../bpf/skb/constants.js';
import { formatIp, type Family } from '../addr.js';
import type { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import type { Packet } from '../datapath/packet.js';
import type { StackHost } from './host.js';
import { routeLookup } from './route-lookup.js';

const AF_INET = 2;
const AF_INET6 = 10;

/** Prepends the Ethernet header for `dst` out of `dev` and sets the header offsets. */
export function pushEthernet(pkt: Packet, dev: NetDevice, dstMac: Uint8Array, proto: number): void {
  const skb = pkt.skb;
  skb.networkHeader = skb.data;
  skb.ensureHeadroom(ETH_HLEN);
  const at = skb.push(ETH_HLEN);
  const b = skb.buf;
  b.set(dstMac.subarray(0, 6), at);
  b.set(dev.mac.subarray(0, 6), at + 6);
  b[at + 12] = proto >> 8;
  b[at + 13] = proto & 0xff;
  skb.macHeader = at;
  skb.macLen = ETH_HLEN;
  skb.protocol = proto;
}

/** neigh_output: resolve `nexthop` on `dev` (static table), add L2, transmit. */
export function neighOutput(host: StackHost, pkt: Packet, dev: NetDevice, family: Family, nexthop: Uint8Array, nested = false): number {
  const proto = family === 4 ? ETH_P_IP : ETH_P_IPV6;
  let mac: Uint8Array;
  if (dev.kind === 'loopback') {
    mac = new Uint8Array(6);
  } else {
    const n = dev.ns.neigh.lookup(dev.ifindex, nexthop);
    if (!n) {
      host.drop(pkt, 'neigh_failed', dev.path, `no neighbour for ${formatIp(nexthop)}`);
      return -1;
    }
    mac = n.mac;
  }
  pushEthernet(pkt, dev, mac, proto);
  return nested ? host.txNested(pkt, dev) : host.xmit(pkt, dev);
}

/** ip_local_out / ip6_local_out for a packet whose data starts at its IP header. */
export function ipLocalOut(host: StackHost, pkt: Packet, ns: NetNamespace, family: Family): number {
  const skb = pkt.skb;
  const dst = family === 4 ? skb.buf.subarray(skb.data + 16, skb.data + 20) : skb.buf.subarray(skb.data + 24, skb.data + 40);
  const r = routeLookup(ns, family, dst);
  if (!r || (r.type !== 'unicast' && r.type !== 'local')) {
    host.drop(pkt, 'ip_noroute', ns.name, `no route to ${formatIp(dst)}${r ? ` (${r.type})` : ''}`);
    return -1;
  }
  const dev = r.type === 'local' ? ns.devices.get('lo') : ns.byIfindex.get(r.ifindex);
  if (!dev) {
    host.drop(pkt, 'ip_noroute', ns.name, `route to ${formatIp(dst)} has no device`);
    return -1;
  }
  return neighOutput(host, pkt, dev, family, r.gateway ?? dst.slice());
}

/** __bpf_redirect_neigh; data at the MAC header on entry. */
export function redirectNeigh(
  host: StackHost,
  pkt: Packet,
  dev: NetDevice,
  nh: { family: number; addr: Uint8Array } | null,
): number {
  const skb = pkt.skb;
  const where = pkt.dev.path;
  if (skb.macHeader >= skb.networkHeader || (skb.buf[skb.macHeader]! & 1) !== 0) {
    host.drop(pkt, 'redirect_neigh_failed', where, 'no L2 header or multicast destination MAC');
    return -524; // -ENOTSUPP
  }
  skb.pull(ETH_HLEN);
  skb.macHeader = -1;
  skb.networkHeader = skb.data;
  const family: Family | 0 = skb.protocol === ETH_P_IP ? 4 : skb.protocol === ETH_P_IPV6 ? 6 : 0;
  if (family === 0) {
    host.drop(pkt, 'redirect_neigh_failed', where, `protocol 0x${skb.protocol.toString(16)} is not IPv4/IPv6`);
    return -524;
  }
  const b = skb.buf;
  let nexthop: Uint8Array;
  if (nh) {
    if (family === 6 && nh.family !== AF_INET6) {
      host.drop(pkt, 'redirect_neigh_failed', where, 'IPv6 packet with a non-IPv6 nexthop');
      return 1;
    }
    if (nh.family === AF_INET) nexthop = nh.addr.slice(0, 4);
    else if (nh.family === AF_INET6) nexthop = nh.addr.slice(0, 16);
    else {
      host.drop(pkt, 'redirect_neigh_failed', where, `nexthop family ${nh.family}`);
      return 1;
    }
  } else {
    const dst = family === 4 ? b.slice(skb.data + 16, skb.data + 20) : b.slice(skb.data + 24, skb.data + 40);
    const r = routeLookup(dev.ns, family, dst, { oif: dev.ifindex });
    if (r && r.type !== 'unicast' && r.type !== 'local') {
      host.drop(pkt, 'redirect_neigh_failed', where, `route to ${formatIp(dst)} is ${r.type}`);
      return 1;
    }
    if (!r && family === 6) {
      host.drop(pkt, 'redirect_neigh_failed', where, `no route to ${formatIp(dst)}`);
      return 1;
    }
    // IPv4 with an oif and no route: ip_route_output_key_hash_rcu assumes the destination is on-link.
    nexthop = r?.gateway ?? dst;
  }
  const n = dev.ns.neigh.lookup(dev.ifindex, nexthop);
  if (!n) {
    // Not modelled: the kernel (bpf_out_neigh_v4/v6 -> ip_neigh_gw4/6 creates the entry ->
    // neigh_output -> neigh_resolve_output) queues the packet on the INCOMPLETE neighbour and
    // sends an ARP request / neighbour solicitation out of `dev` (through dev's egress hook);
    // the packet leaves when a reply arrives, or is freed with NEIGH_FAILED when the probes run
    // out. No tx counter moves (a neigh_output error would count tx_errors). tcxsim has static
    // neighbours only and drops at once.
    host.drop(pkt, 'neigh_failed', dev.path, `redirect_neigh: no neighbour for ${formatIp(nexthop)} (the kernel would queue it and send an ARP/NS probe)`);
    return 1;
  }
  pushEthernet(pkt, dev, n.mac, family === 4 ? ETH_P_IP : ETH_P_IPV6);
  return host.txNested(pkt, dev);
}
