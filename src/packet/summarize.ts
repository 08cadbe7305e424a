// summarize.ts: one line per frame in the words of `tcpdump -q -n -t` (what users compare
// against), e.g. "IP 10.0.0.1.1234 > 10.0.0.2.80: tcp 0", "ARP, Request who-has 10.0.0.2
// tell 10.0.0.1, length 28". Two additions tcpdump -q lacks: a "vlan N: " prefix for tagged
// frames, and the inner frame of VXLAN/Geneve after the tunnel ("VXLAN, vni 100: IP ...").
import { formatMac } from './addr.js';
import { parseArp } from './arp.js';
import {
  ARPOP_REPLY,
  ARPOP_REQUEST,
  ETH_P_8021Q,
  ETH_P_ARP,
  ETH_P_IP,
  ETH_P_IPV6,
  GENEVE_PORT,
  ICMP_ECHO,
  ICMP_ECHOREPLY,
  ICMPV6_ECHO_REPLY,
  ICMPV6_ECHO_REQUEST,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  NDISC_NEIGHBOUR_ADVERTISEMENT,
  NDISC_NEIGHBOUR_SOLICITATION,
  NDISC_ROUTER_ADVERTISEMENT,
  NDISC_ROUTER_SOLICITATION,
  VXLAN_PORT,
} from './constants.js';
import { parseEthernet } from './ethernet.js';
import { ETH_P_TEB, parseGeneve } from './geneve.js';
import { parseIcmp } from './icmp.js';
import { parseIcmpv6 } from './icmpv6.js';
import { parseIpv4 } from './ipv4.js';
import { parseIpv6 } from './ipv6.js';
import { parseTcp } from './tcp.js';
import { parseUdp } from './udp.js';
import { parseVxlan } from './vxlan.js';

const LINKTYPE_ETHERNET = 1;
/** Tunnels inside tunnels stop being summarized after this depth. */
const MAX_TUNNEL_DEPTH = 4;

/** One tcpdump-like line for `frame`, read as `linkType` (Ethernet, or raw IPv4/IPv6). */
export function summarize(frame: Uint8Array, linkType = LINKTYPE_ETHERNET): string {
  if (linkType === LINKTYPE_ETHERNET) return ethernetLine(frame, 0, frame.length, 0);
  const v = frame.length > 0 ? frame[0]! >> 4 : 0;
  if (v === 4) return ipv4Line(frame, 0, frame.length, 0);
  if (v === 6) return ipv6Line(frame, 0, frame.length, 0);
  return `raw IP, unknown version ${v}, length ${frame.length}`;
}

function ethernetLine(b: Uint8Array, off: number, end: number, depth: number): string {
  const eth = parseEthernet(b, off, end);
  if (eth.kind === 'truncated') return '[|ether]';
  const tags = eth.vlans.map((t) => (t.tpid === ETH_P_8021Q ? `vlan ${t.vid}` : `vlan ${t.vid} (0x${t.tpid.toString(16)})`));
  const prefix = tags.length > 0 ? `${tags.join(', ')}: ` : '';
  const p = eth.payloadOffset;
  switch (eth.etherType) {
    case ETH_P_IP:
      return prefix + ipv4Line(b, p, end, depth);
    case ETH_P_IPV6:
      return prefix + ipv6Line(b, p, end, depth);
    case ETH_P_ARP:
      return prefix + arpLine(b, p, end);
    default:
      return `${prefix}${formatMac(b, off + 6)} > ${formatMac(b, off)}, Unknown Ethertype (0x${eth.etherType
        .toString(16)
        .padStart(4, '0')}), length ${end - off}`;
  }
}

function arpLine(b: Uint8Array, off: number, end: number): string {
  const a = parseArp(b, off, end);
  if (a.kind === 'truncated') return 'ARP, [|arp]';
  if (a.op === ARPOP_REQUEST) return `ARP, Request who-has ${a.tpa} tell ${a.spa}, length ${end - off}`;
  if (a.op === ARPOP_REPLY) return `ARP, Reply ${a.spa} is-at ${a.sha}, length ${end - off}`;
  return `ARP, op ${a.op}, length ${end - off}`;
}

function ipv4Line(b: Uint8Array, off: number, end: number, depth: number): string {
  const ip = parseIpv4(b, off, end);
  if (ip.kind === 'truncated') return 'IP [|ip]';
  if (ip.kind === 'malformed') return `IP bad-hlen or version (${ip.reason})`;
  const len = ip.totalLength - ip.headerLength;
  // tcpdump decodes only the first fragment's transport header.
  if (ip.fragOffset !== 0) return `IP ${ip.src} > ${ip.dst}: ${protoWord(ip.protocol)}`;
  return l4Line('IP', ip.src, ip.dst, ip.protocol, b, ip.payloadOffset, ip.payloadEnd, len, depth);
}

function ipv6Line(b: Uint8Array, off: number, end: number, depth: number): string {
  const ip = parseIpv6(b, off, end);
  if (ip.kind === 'truncated') return 'IP6 [|ip6]';
  if (ip.kind === 'malformed') return `IP6 (${ip.reason})`;
  const len = ip.offset + 40 + ip.payloadLength - ip.payloadOffset;
  if (ip.fragment !== null && ip.fragment.offset !== 0) return `IP6 ${ip.src} > ${ip.dst}: frag (${ip.fragment.offset}|${len})`;
  if (ip.extensions.length === 0) return l4Line('IP6', ip.src, ip.dst, ip.protocol, b, ip.payloadOffset, ip.payloadEnd, len, depth);
  // tcpdump names each extension header, then prints TCP/UDP ports without the addresses.
  const exts = ip.extensions.map((e) => EXT_NAMES[e.type] ?? `ext-${e.type}`).join(' ');
  const rest = l4Line('', '', '', ip.protocol, b, ip.payloadOffset, ip.payloadEnd, len, depth);
  return `IP6 ${ip.src} > ${ip.dst}: ${exts} ${rest}`;
}

function protoWord(proto: number): string {
  return `ip-proto-${proto}`;
}

const EXT_NAMES: Record<number, string> = { 0: 'HBH', 43: 'srcrt', 44: 'frag', 51: 'AH', 60: 'DSTOPT', 135: 'MH' };

/** "a.p > b.q: " or, after IPv6 extension headers (fam === ''), "p > q: ". */
function ends(fam: string, src: string, dst: string, sport: number, dport: number): string {
  return fam === '' ? `${sport} > ${dport}: ` : `${fam} ${src}.${sport} > ${dst}.${dport}: `;
}

function addrs(fam: string, src: string, dst: string): string {
  return fam === '' ? '' : `${fam} ${src} > ${dst}: `;
}

/** `len` is the transport segment length the IP header announces. */
function l4Line(
  fam: string,
  src: string,
  dst: string,
  proto: number,
  b: Uint8Array,
  off: number,
  end: number,
  len: number,
  depth: number,
): string {
  switch (proto) {
    case IPPROTO_TCP: {
      const t = parseTcp(b, off, end);
      if (t.kind !== 'tcp') return `${addrs(fam, src, dst)}[|tcp]`;
      return `${ends(fam, src, dst, t.srcPort, t.dstPort)}tcp ${len - t.headerLength}`;
    }
    case IPPROTO_UDP: {
      const u = parseUdp(b, off, end);
      if (u.kind !== 'udp') return `${addrs(fam, src, dst)}[|udp]`;
      const head = ends(fam, src, dst, u.srcPort, u.dstPort);
      const tunnel = depth < MAX_TUNNEL_DEPTH ? tunnelText(b, u.payloadOffset, u.payloadEnd, u.dstPort, depth) : null;
      return head + (tunnel ?? `UDP, length ${u.length - 8}`);
    }
    case IPPROTO_ICMP: {
      const c = parseIcmp(b, off, end);
      if (c.kind !== 'icmp') return `${addrs(fam, src, dst)}[|icmp]`;
      const what =
        c.type === ICMP_ECHO
          ? `echo request, id ${c.id}, seq ${c.seq}`
          : c.type === ICMP_ECHOREPLY
            ? `echo reply, id ${c.id}, seq ${c.seq}`
            : `type ${c.type}, code ${c.code}`;
      return `${addrs(fam, src, dst)}ICMP ${what}, length ${len}`;
    }
    case IPPROTO_ICMPV6: {
      const c = parseIcmpv6(b, off, end);
      if (c.kind !== 'icmpv6') return `${addrs(fam, src, dst)}[|icmp6]`;
      return `${addrs(fam, src, dst)}ICMP6, ${icmp6Text(c.type, c.id, c.seq, c.target)}, length ${len}`;
    }
    default:
      return `${addrs(fam, src, dst)} ip-proto-${proto} ${len}`;
  }
}

function icmp6Text(type: number, id: number, seq: number, target: string | undefined): string {
  switch (type) {
    case ICMPV6_ECHO_REQUEST: return `echo request, id ${id}, seq ${seq}`;
    case ICMPV6_ECHO_REPLY: return `echo reply, id ${id}, seq ${seq}`;
    case NDISC_ROUTER_SOLICITATION: return 'router solicitation';
    case NDISC_ROUTER_ADVERTISEMENT: return 'router advertisement';
    case NDISC_NEIGHBOUR_SOLICITATION: return `neighbor solicitation, who has ${target ?? '?'}`;
    case NDISC_NEIGHBOUR_ADVERTISEMENT: return `neighbor advertisement, tgt is ${target ?? '?'}`;
    default: return `type ${type}`;
  }
}

function tunnelText(b: Uint8Array, off: number, end: number, dport: number, depth: number): string | null {
  if (dport === VXLAN_PORT) {
    const v = parseVxlan(b, off, end);
    if (v.kind === 'truncated') return 'VXLAN [|vxlan]';
    return `VXLAN, vni ${v.vni}: ${ethernetLine(b, v.payloadOffset, end, depth + 1)}`;
  }
  if (dport === GENEVE_PORT) {
    const g = parseGeneve(b, off, end);
    if (g.kind !== 'geneve') return 'Geneve [|geneve]';
    const inner =
      g.protocolType === ETH_P_TEB
        ? ethernetLine(b, g.payloadOffset, end, depth + 1)
        : g.protocolType === ETH_P_IP
          ? ipv4Line(b, g.payloadOffset, end, depth + 1)
          : g.protocolType === ETH_P_IPV6
            ? ipv6Line(b, g.payloadOffset, end, depth + 1)
            : `proto 0x${g.protocolType.toString(16)}`;
    return `Geneve, vni ${g.vni}: ${inner}`;
  }
  return null;
}
