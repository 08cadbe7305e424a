// packets.ts: an inline packet of a scenario (`ipv4: {...}, udp: {...}`) → an Ethernet frame,
// built with src/packet's builders (lengths and checksums filled in). MACs default to what makes
// the frame reach the stack: to the receiving port's MAC for `port:` traffic, from the sending
// device (to its veth peer) for `send:` traffic.
import { SimError } from '../errors.js';
import { formatMac } from '../netdev/addr.js';
import type { NetDevice } from '../netdev/device.js';
import {
  buildArp,
  buildEthIpv4IcmpEcho,
  buildEthIpv4Tcp,
  buildEthIpv4Udp,
  buildEthIpv6IcmpEcho,
  buildEthIpv6Tcp,
  buildEthIpv6Udp,
} from '../packet/index.js';
import type { EthOpts, Payload } from '../packet/build.js';
import { writeEthernet } from '../packet/ethernet.js';
import { ICMP_ECHO, ICMP_ECHOREPLY } from '../packet/constants.js';
import { toBytes } from './programs.js';
import type { ScenarioPacket } from './schema.js';

export interface MacDefaults {
  src: string;
  dst: string;
}

export function buildPacket(p: ScenarioPacket, macs: MacDefaults): Uint8Array {
  if (p.raw !== undefined) return toBytes(p.raw);
  const eth: EthOpts = {
    srcMac: p.eth?.src ?? macs.src,
    dstMac: p.eth?.dst ?? macs.dst,
    vlans: p.vlan ? [{ vid: p.vlan.id, pcp: p.vlan.pcp ?? 0 }] : undefined,
  };
  const payload: Payload | undefined = p.payload === undefined ? undefined : typeof p.payload === 'string' && !/^([0-9a-fA-F]{2})+$/.test(p.payload) ? p.payload : toBytes(p.payload);
  if (p.arp) {
    return buildArp({ ...eth, op: p.arp.op, senderIp: p.arp.sender_ip, targetIp: p.arp.target_ip, senderMac: p.arp.sender_mac, targetMac: p.arp.target_mac, dstMac: p.eth?.dst });
  }
  const l4 = [p.tcp, p.udp, p.icmp].filter((x) => x !== undefined).length;
  if (l4 > 1) throw new SimError('EINVAL', 'a packet has at most one of tcp, udp, icmp');
  if (p.ipv4 && p.ipv6) throw new SimError('EINVAL', 'a packet has ipv4 or ipv6, not both');
  if (p.ipv4) {
    const ip = { ...eth, src: p.ipv4.src, dst: p.ipv4.dst, ttl: p.ipv4.ttl, ipId: p.ipv4.id, dscp: p.ipv4.tos === undefined ? undefined : p.ipv4.tos >> 2, ecn: p.ipv4.tos === undefined ? undefined : p.ipv4.tos & 3 };
    if (p.tcp) return buildEthIpv4Tcp({ ...ip, sport: p.tcp.sport, dport: p.tcp.dport, flags: p.tcp.flags, seq: p.tcp.seq, payload });
    if (p.udp) return buildEthIpv4Udp({ ...ip, sport: p.udp.sport, dport: p.udp.dport, payload });
    if (p.icmp) return buildEthIpv4IcmpEcho({ ...ip, ...echo(p.icmp, ICMP_ECHOREPLY), payload });
    throw new SimError('EINVAL', 'an ipv4 packet needs tcp, udp or icmp (or give `raw`)');
  }
  if (p.ipv6) {
    const ip = { ...eth, src: p.ipv6.src, dst: p.ipv6.dst, hopLimit: p.ipv6.hop_limit };
    if (p.tcp) return buildEthIpv6Tcp({ ...ip, sport: p.tcp.sport, dport: p.tcp.dport, flags: p.tcp.flags, seq: p.tcp.seq, payload });
    if (p.udp) return buildEthIpv6Udp({ ...ip, sport: p.udp.sport, dport: p.udp.dport, payload });
    if (p.icmp) return buildEthIpv6IcmpEcho({ ...ip, ...echo(p.icmp, 129), payload });
    throw new SimError('EINVAL', 'an ipv6 packet needs tcp, udp or icmp (or give `raw`)');
  }
  // Bare Ethernet frame with an explicit ethertype and payload.
  const body = payload === undefined ? new Uint8Array(46) : typeof payload === 'string' ? new TextEncoder().encode(payload) : (payload as Uint8Array);
  const hl = 14 + (p.vlan ? 4 : 0);
  const b = new Uint8Array(Math.max(60, hl + body.length));
  writeEthernet(b, 0, { dst: eth.dstMac!, src: eth.srcMac!, etherType: p.eth?.type ?? 0x88b5, vlans: p.vlan ? [{ vid: p.vlan.id, pcp: p.vlan.pcp ?? 0 }] : [] });
  b.set(body, hl);
  return b;
}

function echo(icmp: NonNullable<ScenarioPacket['icmp']>, replyType: number): { id?: number; seq?: number; reply: boolean } {
  const t = icmp.type;
  const reply = t === 'echo-reply' || t === replyType;
  if (!(t === 'echo-request' || t === 'echo-reply' || t === ICMP_ECHO || t === 128 || reply)) {
    throw new SimError('EINVAL', `icmp type ${t}: only echo-request and echo-reply can be built inline (give \`raw\` for others)`);
  }
  return { id: icmp.id, seq: icmp.seq, reply };
}

/**
 * The MACs that make a frame reach the stack: to the receiving port's MAC for traffic arriving
 * on `dev`; from `dev` to its veth peer (or broadcast) for traffic a host sends out of it.
 */
export function defaultMacs(dev: NetDevice, send: boolean): MacDefaults {
  return send
    ? { src: formatMac(dev.mac), dst: dev.peer ? formatMac(dev.peer.mac) : 'ff:ff:ff:ff:ff:ff' }
    : { src: '02:00:00:00:00:01', dst: formatMac(dev.mac) };
}
