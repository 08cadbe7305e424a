// arp.ts: arp_process for Ethernet/IPv4: a request for one of the namespace's addresses is
// answered out of the receiving device (and the sender is learnt as a neighbour, as
// neigh_event_ns does); every ARP packet is then consumed by the host.
import { ETH_P_ARP } from '../../bpf/skb/constants.js';
import type { NetDevice } from '../device.js';
import type { Packet } from '../datapath/packet.js';
import type { StackHost } from './host.js';
import { pushEthernet } from './output.js';

const ARP_LEN = 28;
const ARPHRD_ETHER = 1;
const ARPOP_REQUEST = 1;
const ARPOP_REPLY = 2;

export function arpRcv(host: StackHost, pkt: Packet, dev: NetDevice): void {
  const skb = pkt.skb;
  const b = skb.buf;
  const o = skb.data;
  if (skb.len < ARP_LEN) return host.drop(pkt, 'ip_inhdr', dev.path, `${skb.len}-byte ARP packet`);
  const ethIpv4 = ((b[o]! << 8) | b[o + 1]!) === ARPHRD_ETHER && ((b[o + 2]! << 8) | b[o + 3]!) === 0x0800 && b[o + 4] === 6 && b[o + 5] === 4;
  const op = (b[o + 6]! << 8) | b[o + 7]!;
  const tpa = b.slice(o + 24, o + 28);
  let reply: Uint8Array | null = null;
  if (ethIpv4 && op === ARPOP_REQUEST && dev.ns.localDevice(tpa) && tpa[0] !== 127) {
    const sha = b.slice(o + 8, o + 14);
    const spa = b.slice(o + 14, o + 18);
    dev.ns.neigh.add({ ifindex: dev.ifindex, ip: spa, mac: sha });
    reply = new Uint8Array(ARP_LEN);
    reply.set(b.subarray(o, o + 6), 0);
    reply[6] = 0;
    reply[7] = ARPOP_REPLY;
    reply.set(dev.mac.subarray(0, 6), 8);
    reply.set(tpa, 14);
    reply.set(sha, 18);
    reply.set(spa, 24);
  }
  host.deliver(pkt, dev.ns, op === ARPOP_REQUEST ? 'arp request' : 'arp');
  if (reply) {
    const r = host.create('reply', reply);
    pushEthernet(r, dev, reply.subarray(18, 24), ETH_P_ARP);
    host.xmit(r, dev);
  }
}
