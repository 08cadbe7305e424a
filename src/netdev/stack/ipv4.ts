// ipv4.ts: IPv4 receive (ip_rcv_core checks, local delivery, ip_forward with TTL decrement and
// the incremental checksum update of ip_decrease_ttl, MTU with DF) and ICMP echo replies.
import { PACKET_OTHERHOST } from '../../bpf/skb/constants.js';
import { checksumOk, internetChecksum } from '../../packet/checksum.js';
import { ICMP_ECHO, ICMP_ECHOREPLY, IP_DF, IPPROTO_ICMP, IPV4_HLEN } from '../../packet/constants.js';
import { writeIpv4 } from '../../packet/ipv4.js';
import { formatIp } from '../addr.js';
import type { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import type { Packet } from '../datapath/packet.js';
import type { StackHost } from './host.js';
import { ipLocalOut, neighOutput } from './output.js';
import { isErrorRoute, routeLookup } from './route-lookup.js';

/** sysctl net.ipv4.ip_default_ttl */
export const IPDEFTTL = 64;

export function ipv4Rcv(host: StackHost, pkt: Packet, dev: NetDevice): void {
  const skb = pkt.skb;
  const b = skb.buf;
  const off = skb.data;
  const where = dev.path;
  if (skb.pktType === PACKET_OTHERHOST) return host.drop(pkt, 'otherhost', where, 'destination MAC is not this device');
  if (skb.len < IPV4_HLEN) return host.drop(pkt, 'ip_inhdr', where, `${skb.len} bytes < IPv4 header`);
  const ihl = (b[off]! & 0x0f) * 4;
  if (b[off]! >> 4 !== 4 || ihl < IPV4_HLEN || skb.len < ihl) return host.drop(pkt, 'ip_inhdr', where, 'bad version or header length');
  if (!checksumOk(b, off, ihl)) return host.drop(pkt, 'ip_csum', where, 'bad IPv4 header checksum');
  const tot = (b[off + 2]! << 8) | b[off + 3]!;
  if (tot > skb.len || tot < ihl) return host.drop(pkt, 'ip_inhdr', where, `total length ${tot} vs ${skb.len} bytes`);
  skb.trim(tot);
  skb.transportHeader = off + ihl;
  const ns = dev.ns;
  const dst = b.subarray(off + 16, off + 20);
  if (isLocal4(ns, dst)) return localDeliver(host, pkt, ns, ihl);
  if (!dev.forwardsIpv4) return host.drop(pkt, 'ip_noroute', where, `${formatIp(dst)} is not local and forwarding is disabled on ${dev.name}`);
  const r = routeLookup(ns, 4, dst);
  if (!r || isErrorRoute(r) || r.type !== 'unicast') {
    return host.drop(pkt, 'ip_noroute', where, `no route to ${formatIp(dst)}${r ? ` (${r.type})` : ''}`);
  }
  const out = ns.byIfindex.get(r.ifindex);
  if (!out) return host.drop(pkt, 'ip_noroute', where, `route to ${formatIp(dst)} has no device`);
  // ip_forward
  const ttl = b[off + 8]!;
  if (ttl <= 1) return host.drop(pkt, 'ip_ttl', where, 'TTL expired in transit');
  const mtu = r.mtu || out.mtu;
  const frag = (b[off + 6]! << 8) | b[off + 7]!;
  if (tot > mtu && (frag & IP_DF) !== 0) return host.drop(pkt, 'pkt_too_big', where, `${tot} bytes > MTU ${mtu} with DF`);
  decreaseTtl(b, off);
  neighOutput(host, pkt, out, 4, r.gateway ?? dst.slice());
}

/** ip_decrease_ttl: TTL - 1 and the RFC 1624 checksum update (the checksum grows by 0x0100). */
export function decreaseTtl(b: Uint8Array, off: number): void {
  let check = ((b[off + 10]! << 8) | b[off + 11]!) + 0x0100;
  check = (check + (check >= 0xffff ? 1 : 0)) & 0xffff;
  b[off + 10] = check >> 8;
  b[off + 11] = check & 0xff;
  b[off + 8] = b[off + 8]! - 1;
}

function isLocal4(ns: NetNamespace, dst: Uint8Array): boolean {
  if (dst[0] === 255 && dst[1] === 255 && dst[2] === 255 && dst[3] === 255) return true;
  if (dst[0]! >= 224 && dst[0]! <= 239) return true;
  return ns.localDevice(dst) !== undefined;
}

function localDeliver(host: StackHost, pkt: Packet, ns: NetNamespace, ihl: number): void {
  const skb = pkt.skb;
  const b = skb.buf;
  const off = skb.data;
  const l4 = off + ihl;
  const l4len = skb.tail - l4;
  const isEcho = b[off + 9] === IPPROTO_ICMP && l4len >= 8 && b[l4] === ICMP_ECHO && checksumOk(b, l4, l4len);
  const reply = isEcho ? echoReply4(b, off, ihl, skb.tail) : null;
  host.deliver(pkt, ns, isEcho ? 'icmp echo request' : undefined);
  if (reply) ipLocalOut(host, host.create('reply', reply), ns, 4);
}

/** icmp_echo -> icmp_reply: addresses swapped, type 0, fresh header without options. */
function echoReply4(b: Uint8Array, off: number, ihl: number, end: number): Uint8Array {
  const l4len = end - off - ihl;
  const r = new Uint8Array(IPV4_HLEN + l4len);
  const tos = b[off + 1]!;
  writeIpv4(r, 0, {
    src: b.subarray(off + 16, off + 20),
    dst: b.subarray(off + 12, off + 16),
    protocol: IPPROTO_ICMP,
    totalLength: r.length,
    ttl: IPDEFTTL,
    dscp: tos >> 2,
    ecn: tos & 3,
  });
  r.set(b.subarray(off + ihl, end), IPV4_HLEN);
  r[IPV4_HLEN] = ICMP_ECHOREPLY;
  r[IPV4_HLEN + 2] = r[IPV4_HLEN + 3] = 0;
  const ic = internetChecksum(r, IPV4_HLEN, l4len);
  r[IPV4_HLEN + 2] = ic >> 8;
  r[IPV4_HLEN + 3] = ic & 0xff;
  return r;
}
