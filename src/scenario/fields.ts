// fields.ts: named fields of a captured frame for `packet:` expectations and the testing API:
// `eth.src`, `eth.dst`, `eth.type`, `vlan.id`, `ipv4.src|dst|ttl|protocol|id|checksum_ok`,
// `ipv6.src|dst|hop_limit|protocol`, `tcp|udp.sport|dport|checksum_ok`, `tcp.flags|seq|ack`,
// `icmp.type|code|id|seq`, `len`, `summary` (the tcpdump -q -n line). Decoded with src/packet.
import { SimError } from '../errors.js';
import { parseEthernet } from '../packet/ethernet.js';
import { parseIcmp } from '../packet/icmp.js';
import { parseIpv4 } from '../packet/ipv4.js';
import { parseIpv6 } from '../packet/ipv6.js';
import { verifyTransportChecksum } from '../packet/l4-checksum.js';
import { summarize } from '../packet/summarize.js';
import { parseTcp, tcpFlagLetters } from '../packet/tcp.js';
import { parseUdp } from '../packet/udp.js';
import { ETH_P_IP, ETH_P_IPV6, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP } from '../packet/constants.js';

export const FIELD_NAMES = [
  'len', 'summary', 'eth.src', 'eth.dst', 'eth.type', 'vlan.id',
  'ipv4.src', 'ipv4.dst', 'ipv4.ttl', 'ipv4.protocol', 'ipv4.id', 'ipv4.checksum_ok',
  'ipv6.src', 'ipv6.dst', 'ipv6.hop_limit', 'ipv6.protocol',
  'tcp.sport', 'tcp.dport', 'tcp.flags', 'tcp.seq', 'tcp.ack', 'tcp.checksum_ok',
  'udp.sport', 'udp.dport', 'udp.len', 'udp.checksum_ok',
  'icmp.type', 'icmp.code', 'icmp.id', 'icmp.seq',
] as const;

/** The field's value, or undefined when the frame has no such layer. */
export function frameField(frame: Uint8Array, field: string): string | number | boolean | undefined {
  if (!(FIELD_NAMES as readonly string[]).includes(field)) {
    throw new SimError('EINVAL', `unknown packet field "${field}" (known: ${FIELD_NAMES.join(', ')})`);
  }
  if (field === 'len') return frame.length;
  if (field === 'summary') return summarize(frame);
  const eth = parseEthernet(frame);
  if (eth.kind !== 'ethernet') return undefined;
  const [layer, name] = field.split('.') as [string, string];
  if (layer === 'eth') return name === 'src' ? eth.src : name === 'dst' ? eth.dst : eth.etherType;
  if (layer === 'vlan') return eth.vlans[0]?.vid;
  const ip = eth.etherType === ETH_P_IP ? parseIpv4(frame, eth.payloadOffset) : eth.etherType === ETH_P_IPV6 ? parseIpv6(frame, eth.payloadOffset) : undefined;
  if (!ip || (ip.kind !== 'ipv4' && ip.kind !== 'ipv6')) return undefined;
  if (layer === 'ipv4') {
    if (ip.kind !== 'ipv4') return undefined;
    const v: Record<string, string | number | boolean> = { src: ip.src, dst: ip.dst, ttl: ip.ttl, protocol: ip.protocol, id: ip.id, checksum_ok: ip.checksumOk };
    return v[name];
  }
  if (layer === 'ipv6') {
    if (ip.kind !== 'ipv6') return undefined;
    const v: Record<string, string | number> = { src: ip.src, dst: ip.dst, hop_limit: ip.hopLimit, protocol: ip.protocol };
    return v[name];
  }
  const end = ip.payloadEnd;
  if (layer === 'tcp' && ip.protocol === IPPROTO_TCP) {
    const t = parseTcp(frame, ip.payloadOffset, end);
    if (t.kind !== 'tcp') return undefined;
    const v: Record<string, string | number | boolean | null> = { sport: t.srcPort, dport: t.dstPort, flags: tcpFlagLetters(t.flags), seq: t.seq, ack: t.ack, checksum_ok: verifyTransportChecksum(frame, ip) };
    return v[name] ?? undefined;
  }
  if (layer === 'udp' && ip.protocol === IPPROTO_UDP) {
    const u = parseUdp(frame, ip.payloadOffset, end);
    if (u.kind !== 'udp') return undefined;
    const v: Record<string, number | boolean | null> = { sport: u.srcPort, dport: u.dstPort, len: u.length, checksum_ok: verifyTransportChecksum(frame, ip) };
    return v[name] ?? undefined;
  }
  if (layer === 'icmp' && (ip.protocol === IPPROTO_ICMP || ip.protocol === IPPROTO_ICMPV6)) {
    const c = parseIcmp(frame, ip.payloadOffset, end);
    if (c.kind !== 'icmp') return undefined;
    const v: Record<string, number> = { type: c.type, code: c.code, id: c.id, seq: c.seq };
    return v[name];
  }
  return undefined;
}

/** Compares a field with an expected value the way a YAML author means it (numbers, strings, true/false). */
export function fieldEquals(actual: string | number | boolean | undefined, want: string | number): boolean {
  if (actual === undefined) return false;
  if (typeof actual === 'boolean') return String(actual) === String(want);
  if (typeof actual === 'number' && typeof want === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(want)) return actual === Number(want);
  return String(actual) === String(want);
}
