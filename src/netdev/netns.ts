// netns.ts: a network namespace: its devices (ifindex allocated per namespace, cyclic, never
// reusing a freed index until wrap-around, as dev_index_reserve does), routes, neighbours,
// forwarding switches, and its own loopback (ifindex 1).
import { SimError } from '../errors.js';
import { type Family, type Prefix, bytesEqual, familyOf } from './addr.js';
import { NetDevice, type DeviceKind } from './device.js';
import { NeighTable } from './neigh.js';
import { RouteTable, RT_TABLE_LOCAL } from './route.js';

export class NetNamespace {
  readonly devices = new Map<string, NetDevice>();
  readonly byIfindex = new Map<number, NetDevice>();
  readonly routes = new RouteTable();
  readonly neigh = new NeighTable();
  forwarding = { 4: false, 6: false } as Record<Family, boolean>;
  private lastIfindex = 0;

  constructor(
    readonly name: string,
    /** net->net_cookie: a unique, never-reused number per namespace. */
    readonly cookie: number,
  ) {
    this.addDevice('lo', 'loopback', new Uint8Array(6));
    const lo = this.devices.get('lo')!;
    this.addAddress(lo, { family: 4, addr: Uint8Array.of(127, 0, 0, 1), len: 8 });
  }

  /** Registers a device; `ifindex` requests a specific index (EBUSY if taken), else the next free one. */
  addDevice(name: string, kind: DeviceKind, mac: Uint8Array, ifindex?: number): NetDevice {
    if (this.devices.has(name)) throw new SimError('EEXIST', `netns ${this.name}: device ${name} already exists`);
    if (name.length === 0 || name.length > 15 || /[\s/:]/.test(name)) {
      throw new SimError('EINVAL', `netns ${this.name}: "${name}" is not a valid device name (1-15 chars, no '/', ':' or spaces)`);
    }
    let index = ifindex;
    if (index !== undefined) {
      if (this.byIfindex.has(index)) throw new SimError('EBUSY', `netns ${this.name}: ifindex ${index} is taken`);
    } else {
      index = this.lastIfindex;
      do index = index >= 0x7fffffff ? 1 : index + 1;
      while (this.byIfindex.has(index));
    }
    this.lastIfindex = index;
    const dev = new NetDevice(this, index, name, kind, mac);
    this.devices.set(name, dev);
    this.byIfindex.set(index, dev);
    return dev;
  }

  removeDevice(dev: NetDevice): void {
    this.devices.delete(dev.name);
    this.byIfindex.delete(dev.ifindex);
    this.routes.removeDevice(dev.ifindex);
    this.neigh.removeDevice(dev.ifindex);
  }

  device(name: string): NetDevice {
    const d = this.devices.get(name);
    if (!d) throw new SimError('ENODEV', `netns ${this.name}: no device ${name}`);
    return d;
  }

  /** `ip addr add`: the address plus its local route and, for a non-host prefix, the connected route. */
  addAddress(dev: NetDevice, p: Prefix): void {
    dev.addresses.push(p);
    const hostLen = p.addr.length * 8;
    this.routes.add({ dst: { ...p, len: hostLen }, type: 'local', ifindex: dev.ifindex, metric: 0, mtu: 0, table: RT_TABLE_LOCAL, src: p.addr });
    if (p.len < hostLen && dev.kind !== 'loopback') {
      const net = maskPrefix(p);
      this.routes.add({ dst: net, type: 'unicast', ifindex: dev.ifindex, metric: p.family === 6 ? 256 : 0, mtu: 0, table: 254, src: p.addr });
    }
  }

  /** The device owning a local address, if the address is one of this namespace's. */
  localDevice(addr: Uint8Array): NetDevice | undefined {
    for (const d of this.devices.values()) {
      for (const a of d.addresses) if (bytesEqual(a.addr, addr)) return d;
    }
    if (addr.length === 4 && addr[0] === 127) return this.devices.get('lo');
    return undefined;
  }

  /** A source address for traffic out of `dev` (the first address of that family, else any). */
  sourceFor(dev: NetDevice, family: Family): Uint8Array | undefined {
    const own = dev.addresses.find((a) => a.family === family);
    if (own) return own.addr;
    for (const d of this.devices.values()) {
      if (d.kind === 'loopback') continue;
      const a = d.addresses.find((x) => x.family === family);
      if (a) return a.addr;
    }
    return undefined;
  }
}

export function maskPrefix(p: Prefix): Prefix {
  const addr = new Uint8Array(p.addr);
  for (let bit = p.len; bit < addr.length * 8; bit++) addr[bit >> 3] &= ~(0x80 >> (bit & 7));
  return { family: familyOf(addr), addr, len: p.len };
}
