// build.ts: whole frames from a few fields, for tests and inline scenario packets. Every
// length and checksum (IPv4 header, TCP/UDP/ICMP/ICMPv6) is computed; defaults are
// locally administered MACs 02:00:00:00:00:01 -> :02, TTL 64, window 65535.
//
//   buildEthIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1234, dport: 53, payload: 'hi' })
import type { IpLike, MacLike } from './addr.js';
import { writeArp } from './arp.js';
import {
  ARPOP_REPLY,
  ARPOP_REQUEST,
  ETH_P_ARP,
  ETH_P_IP,
  ETH_P_IPV6,
  GENEVE_PORT,
  ICMP_ECHO,
  ICMP_ECHOREPLY,
  ICMP_HLEN,
  ICMPV6_ECHO_REPLY,
  ICMPV6_ECHO_REQUEST,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPV6_HLEN,
  UDP_HLEN,
  VXLAN_HLEN,
  VXLAN_PORT,
} from './constants.js';
import { ethernetHeaderLength, writeEthernet, type VlanTag } from './ethernet.js';
import { GENEVE_HLEN } from './constants.js';
import { writeGeneve } from './geneve.js';
import { writeIcmp } from './icmp.js';
import { writeIcmpv6 } from './icmpv6.js';
import { ipv4HeaderLength, parseIpv4, writeIpv4 } from './ipv4.js';
import { parseIpv6, writeIpv6 } from './ipv6.js';
import { setTransportChecksum } from './l4-checksum.js';
import { tcpHeaderLength, writeTcp, type TcpFields } from './tcp.js';
import { writeUdp } from './udp.js';
import { writeVxlan } from './vxlan.js';

export const DEFAULT_SRC_MAC = '02:00:00:00:00:01';
export const DEFAULT_DST_MAC = '02:00:00:00:00:02';
/** Outer UDP source port of tunnel frames: in the kernel's ephemeral range, clear of ports tcpdump decodes. */
export const TUNNEL_SPORT = 50000;

/** Bytes, text (UTF-8), or a length (filled with a repeating 0x00..0xff pattern). */
export type Payload = Uint8Array | string | number;

export interface EthOpts {
  srcMac?: MacLike;
  dstMac?: MacLike;
  /** VLAN ids (802.1Q), outermost first, or full tags for QinQ (tpid 0x88a8). */
  vlans?: (number | (Partial<VlanTag> & { vid: number }))[];
}

export interface Ipv4Opts extends EthOpts {
  src: IpLike;
  dst: IpLike;
  ttl?: number;
  /** IPv4 identification (named apart from the ICMP echo id). */
  ipId?: number;
  dscp?: number;
  ecn?: number;
  df?: boolean;
  /** Raw IPv4 option bytes. */
  ipOptions?: Uint8Array;
}

export interface Ipv6Opts extends EthOpts {
  src: IpLike;
  dst: IpLike;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
}

export interface UdpOpts {
  sport: number;
  dport: number;
  payload?: Payload;
}

export interface TcpOpts {
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  /** TCP_FLAG_* bits or tcpdump letters ("S", "S.", "P.", "F.", "R"); default "S". */
  flags?: number | string;
  window?: number;
  tcpOptions?: Uint8Array;
  payload?: Payload;
}

export interface EchoOpts {
  id?: number;
  seq?: number;
  reply?: boolean;
  payload?: Payload;
}

export function payloadBytes(p: Payload | undefined): Uint8Array {
  if (p === undefined) return new Uint8Array(0);
  if (typeof p === 'string') return new TextEncoder().encode(p);
  if (typeof p === 'number') return Uint8Array.from({ length: p }, (_, i) => i & 0xff);
  return p;
}

function eth(o: EthOpts, etherType: number) {
  return {
    dst: o.dstMac ?? DEFAULT_DST_MAC,
    src: o.srcMac ?? DEFAULT_SRC_MAC,
    etherType,
    vlans: (o.vlans ?? []).map((v) => (typeof v === 'number' ? { vid: v } : v)),
  };
}

/** Ethernet + IPv4 around an L4 segment written by `l4`; fills both checksums. */
function ipv4Frame(o: Ipv4Opts, protocol: number, l4len: number, l4: (b: Uint8Array, at: number) => void): Uint8Array {
  const e = eth(o, ETH_P_IP);
  const ehl = ethernetHeaderLength(e);
  const ihl = ipv4HeaderLength({ options: o.ipOptions });
  const b = new Uint8Array(ehl + ihl + l4len);
  writeEthernet(b, 0, e);
  l4(b, ehl + ihl);
  writeIpv4(b, ehl, {
    src: o.src,
    dst: o.dst,
    protocol,
    totalLength: ihl + l4len,
    ttl: o.ttl,
    id: o.ipId,
    dscp: o.dscp,
    ecn: o.ecn,
    df: o.df,
    options: o.ipOptions,
  });
  const ip = parseIpv4(b, ehl);
  if (ip.kind === 'ipv4') setTransportChecksum(b, ip);
  return b;
}

function ipv6Frame(o: Ipv6Opts, protocol: number, l4len: number, l4: (b: Uint8Array, at: number) => void): Uint8Array {
  const e = eth(o, ETH_P_IPV6);
  const ehl = ethernetHeaderLength(e);
  const b = new Uint8Array(ehl + IPV6_HLEN + l4len);
  writeEthernet(b, 0, e);
  writeIpv6(b, ehl, {
    src: o.src,
    dst: o.dst,
    nextHeader: protocol,
    payloadLength: l4len,
    hopLimit: o.hopLimit,
    trafficClass: o.trafficClass,
    flowLabel: o.flowLabel,
  });
  l4(b, ehl + IPV6_HLEN);
  const ip = parseIpv6(b, ehl);
  if (ip.kind === 'ipv6') setTransportChecksum(b, ip);
  return b;
}

function udpSegment(o: UdpOpts): [number, (b: Uint8Array, at: number) => void] {
  const data = payloadBytes(o.payload);
  const len = UDP_HLEN + data.length;
  return [
    len,
    (b, at) => {
      writeUdp(b, at, { srcPort: o.sport, dstPort: o.dport, length: len });
      b.set(data, at + UDP_HLEN);
    },
  ];
}

function tcpSegment(o: TcpOpts): [number, (b: Uint8Array, at: number) => void] {
  const data = payloadBytes(o.payload);
  const f: TcpFields = {
    srcPort: o.sport,
    dstPort: o.dport,
    seq: o.seq,
    ack: o.ack,
    flags: o.flags ?? 'S',
    window: o.window,
    options: o.tcpOptions,
  };
  const hl = tcpHeaderLength(f);
  return [
    hl + data.length,
    (b, at) => {
      writeTcp(b, at, f);
      b.set(data, at + hl);
    },
  ];
}

function echoSegment(o: EchoOpts, type: number, v6: boolean): [number, (b: Uint8Array, at: number) => void] {
  const data = payloadBytes(o.payload);
  return [
    ICMP_HLEN + data.length,
    (b, at) => {
      const f = { type, id: o.id ?? 0, seq: o.seq ?? 0 };
      if (v6) writeIcmpv6(b, at, f);
      else writeIcmp(b, at, f);
      b.set(data, at + ICMP_HLEN);
    },
  ];
}

export function buildEthIpv4Udp(o: Ipv4Opts & UdpOpts): Uint8Array {
  return ipv4Frame(o, IPPROTO_UDP, ...udpSegment(o));
}

export function buildEthIpv4Tcp(o: Ipv4Opts & TcpOpts): Uint8Array {
  return ipv4Frame(o, IPPROTO_TCP, ...tcpSegment(o));
}

export function buildEthIpv4IcmpEcho(o: Ipv4Opts & EchoOpts): Uint8Array {
  return ipv4Frame(o, IPPROTO_ICMP, ...echoSegment(o, o.reply ? ICMP_ECHOREPLY : ICMP_ECHO, false));
}

export function buildEthIpv6Udp(o: Ipv6Opts & UdpOpts): Uint8Array {
  return ipv6Frame(o, IPPROTO_UDP, ...udpSegment(o));
}

export function buildEthIpv6Tcp(o: Ipv6Opts & TcpOpts): Uint8Array {
  return ipv6Frame(o, IPPROTO_TCP, ...tcpSegment(o));
}

export function buildEthIpv6IcmpEcho(o: Ipv6Opts & EchoOpts): Uint8Array {
  return ipv6Frame(o, IPPROTO_ICMPV6, ...echoSegment(o, o.reply ? ICMPV6_ECHO_REPLY : ICMPV6_ECHO_REQUEST, true));
}

export interface ArpOpts extends EthOpts {
  op: 'request' | 'reply';
  senderMac?: MacLike;
  senderIp: IpLike;
  targetMac?: MacLike;
  targetIp: IpLike;
}

/** An ARP request (broadcast unless dstMac is given) or reply (to targetMac). */
export function buildArp(o: ArpOpts): Uint8Array {
  const request = o.op === 'request';
  const senderMac = o.senderMac ?? o.srcMac ?? DEFAULT_SRC_MAC;
  const e = eth(
    { ...o, srcMac: o.srcMac ?? senderMac, dstMac: o.dstMac ?? (request ? 'ff:ff:ff:ff:ff:ff' : (o.targetMac ?? DEFAULT_DST_MAC)) },
    ETH_P_ARP,
  );
  const ehl = ethernetHeaderLength(e);
  const b = new Uint8Array(ehl + 28);
  writeEthernet(b, 0, e);
  writeArp(b, ehl, {
    op: request ? ARPOP_REQUEST : ARPOP_REPLY,
    sha: senderMac,
    spa: o.senderIp,
    tha: request ? undefined : (o.targetMac ?? DEFAULT_DST_MAC),
    tpa: o.targetIp,
  });
  return b;
}

export interface TunnelOpts {
  sport?: number;
  vni: number;
  /** The inner Ethernet frame. */
  inner: Uint8Array;
}

/** Ethernet/IPv4/UDP/VXLAN around an inner frame; the outer UDP checksum is filled in. */
export function buildEthIpv4Vxlan(o: Ipv4Opts & TunnelOpts & { dport?: number }): Uint8Array {
  const inner = o.inner;
  const payload = new Uint8Array(VXLAN_HLEN + inner.length);
  writeVxlan(payload, 0, { vni: o.vni });
  payload.set(inner, VXLAN_HLEN);
  return buildEthIpv4Udp({ ...o, sport: o.sport ?? TUNNEL_SPORT, dport: o.dport ?? VXLAN_PORT, payload });
}

export function buildEthIpv4Geneve(o: Ipv4Opts & TunnelOpts & { dport?: number; geneveOptions?: Uint8Array }): Uint8Array {
  const inner = o.inner;
  const optLen = o.geneveOptions?.length ?? 0;
  const payload = new Uint8Array(GENEVE_HLEN + optLen + inner.length);
  writeGeneve(payload, 0, { vni: o.vni, options: o.geneveOptions });
  payload.set(inner, GENEVE_HLEN + optLen);
  return buildEthIpv4Udp({ ...o, sport: o.sport ?? TUNNEL_SPORT, dport: o.dport ?? GENEVE_PORT, payload });
}
