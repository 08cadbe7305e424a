// host.ts: what the L3 stack needs from the datapath: create packets (replies), transmit,
// deliver to a namespace's host sink, drop with a reason, and the nested transmit with the xmit
// recursion limit that bpf_redirect_neigh uses.
import type { PacketOrigin } from '../accounting.js';
import type { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import type { DropReason } from '../datapath/drop.js';
import type { Packet } from '../datapath/packet.js';

export interface StackHost {
  create(origin: PacketOrigin, frame: Uint8Array): Packet;
  /** dev_queue_xmit with data at the MAC header. */
  xmit(pkt: Packet, dev: NetDevice): number;
  /** dev_queue_xmit one recursion level deeper (refused past XMIT_RECURSION_LIMIT). */
  txNested(pkt: Packet, dev: NetDevice): number;
  deliver(pkt: Packet, ns: NetNamespace, detail?: string): void;
  drop(pkt: Packet, reason: DropReason, where: string, detail?: string): void;
}
