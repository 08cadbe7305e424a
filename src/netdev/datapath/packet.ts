// packet.ts: one packet in flight: its sk_buff, where it came from, the device it is on
// (skb->dev) and how many receive rounds it has been through (tcxsim's loop guard).
import type { Skb } from '../../bpf/skb/skb.js';
import type { PacketOrigin } from '../accounting.js';
import type { NetDevice } from '../device.js';

export class Packet {
  /** skb->dev; set on every receive, transmit and redirect. */
  dev!: NetDevice;
  /** Receive rounds so far (backlog deliveries and redirect_peer rounds). */
  rounds = 0;
  /** Set once the packet has an outcome; nothing may touch `skb` afterwards. */
  ended = false;

  constructor(
    readonly id: number,
    readonly skb: Skb,
    readonly origin: PacketOrigin,
  ) {}
}
