// device.ts: a network device: ifindex, name, kind, MAC, MTU, state, addresses, counters.
// The tc hooks (tcx entries, clsact) and the transmit behaviour are attached by the datapath;
// this file only describes the device.
import type { Prefix } from './addr.js';
import type { NetNamespace } from './netns.js';

/** loopback: `lo`; veth: one end of a pair; wire: a port whose far side is a pcap/capture. */
export type DeviceKind = 'loopback' | 'veth' | 'wire';

export const ETH_DATA_LEN = 1500;

/** The counters `ip -s link` shows. */
export class DeviceStats {
  rxPackets = 0;
  rxBytes = 0;
  txPackets = 0;
  txBytes = 0;
  rxDropped = 0;
  txDropped = 0;
}

/** dev->broadcast of an Ethernet device (ether_setup) and of loopback (all zero). */
const ETH_BROADCAST = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
const LOOPBACK_BROADCAST = new Uint8Array(6);

export class NetDevice {
  up = true;
  /** net.ipv4.conf.<dev>.forwarding when set on its own; null follows the namespace's ip_forward. */
  ipv4Forwarding: boolean | null = null;
  mtu: number;
  peer: NetDevice | null = null;
  readonly addresses: Prefix[] = [];
  readonly stats = new DeviceStats();
  /** dev->broadcast: eth_type_trans tells broadcast from multicast with it. */
  readonly broadcast: Uint8Array;
  /** `path` as last built, and the namespace it was built for (a device can move). */
  private pathNs: NetNamespace | null = null;
  private pathName = '';

  constructor(
    public ns: NetNamespace,
    public ifindex: number,
    readonly name: string,
    readonly kind: DeviceKind,
    readonly mac: Uint8Array,
    mtu = kind === 'loopback' ? 65536 : ETH_DATA_LEN,
  ) {
    this.mtu = mtu;
    this.broadcast = kind === 'loopback' ? LOOPBACK_BROADCAST : ETH_BROADCAST;
  }

  /**
   * `ns/name`, the way scenario files and traces name a device. Built once per namespace the
   * device is in: the datapath names the device of every packet's end, and a fresh string each
   * time would also be hashed afresh by the accounting's per-device counts.
   */
  get path(): string {
    if (this.pathNs !== this.ns) {
      this.pathName = `${this.ns.name}/${this.name}`;
      this.pathNs = this.ns;
    }
    return this.pathName;
  }

  /** IN_DEV_FORWARD: whether IPv4 packets received here may be forwarded. */
  get forwardsIpv4(): boolean {
    return this.ipv4Forwarding ?? this.ns.forwarding[4];
  }
}
