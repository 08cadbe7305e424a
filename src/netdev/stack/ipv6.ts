// ipv6.ts: IPv6 receive (header checks, local delivery incl. multicast, forwarding with the hop
// limit and the MTU, which IPv6 routers never fragment around) and ICMPv6 echo replies.
import { PACKET_OTHERHOST } from '../../bpf/skb/constants.js';
import { internetChecksum, pseudoSumV6 } from '../../packet/checksum.js';
import { ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, IPPROTO_ICMPV6, IPV6_HLEN } from '../../packet/constants.js';
import { formatIp } from '../addr.js';
import type { NetDevice } from '../device.js';
import type { Packet } from '../datapath/packet.js';
import type { StackHost } from './host.js';
import { ipLocalOut, neighOutput } from './output.js';
import { isErrorRoute, routeLookup } from './route-lookup.js';

/** sysctl net.ipv6.conf.all.hop_limit */
export const IPV6_DEFAULT_HOPLIMIT = 64;

export function ipv6Rcv(host: StackHost, pkt: Packet, dev: NetDevice): void {
  const skb = pkt.skb;
  const b = skb.buf;
  const off = skb.data;
  const where = dev.path;
  if (skb.pktType === PACKET_OTHERHOST) return host.drop(pkt, 'otherhost', where, 'destination MAC is not this device');
  if (skb.len < IPV6_HLEN || b[off]! >> 4 !== 6) return host.drop(pkt, 'ip_inhdr', where, 'short packet or version is not 6');
  const plen = (b[off + 4]! << 8) | b[off + 5]!;
  if (IPV6_HLEN + plen > skb.len) return host.drop(pkt, 'ip_inhdr', where, `payload length ${plen} vs ${skb.len} bytes`);
  skb.trim(IPV6_HLEN + plen);
  skb.transportHeader = off + IPV6_HLEN;
  const ns = dev.ns;
  const dst = b.subarray(off + 24, off + 40);
  if (dst[0] === 0xff || ns.localDevice(dst)) {
    const isEcho = b[off + 6] === IPPROTO_ICMPV6 && plen >= 8 && b[off + IPV6_HLEN] === ICMPV6_ECHO_REQUEST;
    const reply = isEcho && dst[0] !== 0xff ? echoReply6(b, off, plen) : null;
    host.deliver(pkt, ns, isEcho ? 'icmpv6 echo request' : undefined);
    if (reply) ipLocalOut(host, host.create('reply', reply), ns, 6);
    return;
  }
  if (!ns.forwarding[6]) return host.drop(pkt, 'ip_noroute', where, `${formatIp(dst)} is not local and forwarding is disabled`);
  const r = routeLookup(ns, 6, dst);
  if (!r || isErrorRoute(r) || r.type !== 'unicast') {
    return host.drop(pkt, 'ip_noroute', where, `no route to ${formatIp(dst)}${r ? ` (${r.type})` : ''}`);
  }
  const out = ns.byIfindex.get(r.ifindex);
  if (!out) return host.drop(pkt, 'ip_noroute', where, `route to ${formatIp(dst)} has no device`);
  if (b[off + 7]! <= 1) return host.drop(pkt, 'ip_ttl', where, 'hop limit expired in transit');
  const mtu = r.mtu || out.mtu;
  if (IPV6_HLEN + plen > mtu) return host.drop(pkt, 'pkt_too_big', where, `${IPV6_HLEN + plen} bytes > MTU ${mtu}`);
  b[off + 7] = b[off + 7]! - 1;
  neighOutput(host, pkt, out, 6, r.gateway ?? dst.slice());
}

function echoReply6(b: Uint8Array, off: number, plen: number): Uint8Array {
  const r = new Uint8Array(IPV6_HLEN + plen);
  r.set(b.subarray(off, off + 8), 0);
  r[7] = IPV6_DEFAULT_HOPLIMIT;
  r.set(b.subarray(off + 24, off + 40), 8);
  r.set(b.subarray(off + 8, off + 24), 24);
  r.set(b.subarray(off + IPV6_HLEN, off + IPV6_HLEN + plen), IPV6_HLEN);
  r[IPV6_HLEN] = ICMPV6_ECHO_REPLY;
  r[IPV6_HLEN + 2] = r[IPV6_HLEN + 3] = 0;
  const c = internetChecksum(r, IPV6_HLEN, plen, pseudoSumV6(r, 8, 24, IPPROTO_ICMPV6, plen));
  r[IPV6_HLEN + 2] = c >> 8;
  r[IPV6_HLEN + 3] = c & 0xff;
  return r;
}
