// device.ts: a network device: ifindex, name, kind, MAC, MTU, state, addresses, counters.
// The tc hooks (tcx entries, clsact) and the transmit behaviour are attached by the datapath;
// this file only describes the device.
import type { Prefix } from './addr.js';
import type { NetNamespace } from './netns.js';

/** loopback: `lo`; veth: one end of a pair; wire: a port whose far side is a pcap/capture. */
export type DeviceKind = 'loopback' | 'veth' | 'wire';

export const ETH_DATA_LEN = 1500;
export const VETH_MAX_MTU = 65535 - 14;

/** The counters `ip -s link` shows. */
export class DeviceStats {
  rxPackets = 0;
  rxBytes = 0;
  txPackets = 0;
  txBytes = 0;
  rxDropped = 0;
  txDropped = 0;
}

export class NetDevice {
  up = true;
  mtu: number;
  peer: NetDevice | null = null;
  readonly addresses: Prefix[] = [];
  readonly stats = new DeviceStats();

  constructor(
    public ns: NetNamespace,
    public ifindex: number,
    readonly name: string,
    readonly kind: DeviceKind,
    readonly mac: Uint8Array,
    mtu = kind === 'loopback' ? 65536 : ETH_DATA_LEN,
  ) {
    this.mtu = mtu;
  }

  /** `ns/name`, the way scenario files and traces name a device. */
  get path(): string {
    return `${this.ns.name}/${this.name}`;
  }
}
