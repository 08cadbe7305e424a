// receive.ts: the protocol handlers after tc ingress (ptype_base): IPv4, IPv6 and ARP go to the
// namespace's small L3 stack; anything else has no handler (UNHANDLED_PROTO).
import { ETH_P_ARP, ETH_P_IP, ETH_P_IPV6 } from '../../bpf/skb/constants.js';
import type { NetDevice } from '../device.js';
import type { Packet } from '../datapath/packet.js';
import { arpRcv } from './arp.js';
import type { StackHost } from './host.js';
import { ipv4Rcv } from './ipv4.js';
import { ipv6Rcv } from './ipv6.js';

export type { StackHost } from './host.js';

/** The ethertypes the stack has a handler for (ptype_base): a packet socket never takes these. */
export function stackHandles(protocol: number): boolean {
  return protocol === ETH_P_IP || protocol === ETH_P_IPV6 || protocol === ETH_P_ARP;
}

/** Data at the network header, skb->protocol set by eth_type_trans. */
export function stackReceive(host: StackHost, pkt: Packet, dev: NetDevice): void {
  switch (pkt.skb.protocol) {
    case ETH_P_IP:
      ipv4Rcv(host, pkt, dev);
      return;
    case ETH_P_IPV6:
      ipv6Rcv(host, pkt, dev);
      return;
    case ETH_P_ARP:
      arpRcv(host, pkt, dev);
      return;
    default:
      host.drop(pkt, 'unhandled_proto', dev.path, `ethertype 0x${pkt.skb.protocol.toString(16).padStart(4, '0')}`);
  }
}
