// world.ts: every namespace of a simulation and the devices between them. Creates veth pairs the
// way veth_newlink does (the peer is registered first, so it gets the lower ifindex when both
// ends are in one namespace) and wire ports; removes devices with their peers.
import { SimError } from '../errors.js';
import { Prng } from '../sim/prng.js';
import type { NetDevice } from './device.js';
import { NetNamespace } from './netns.js';

export class World {
  readonly namespaces = new Map<string, NetNamespace>();
  private nextCookie = 1;
  private readonly macs: Prng;

  constructor(seed = 1) {
    this.macs = new Prng(seed ^ 0x6d6163);
    this.addNamespace('init');
  }

  addNamespace(name: string): NetNamespace {
    if (this.namespaces.has(name)) throw new SimError('EEXIST', `netns ${name} already exists`);
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new SimError('EINVAL', `"${name}" is not a valid namespace name`);
    const ns = new NetNamespace(name, this.nextCookie++);
    this.namespaces.set(name, ns);
    return ns;
  }

  ns(name: string): NetNamespace {
    const ns = this.namespaces.get(name);
    if (!ns) throw new SimError('ENOENT', `no netns ${name}`);
    return ns;
  }

  /** `ns/dev`, or a bare device name looked up in the init namespace. */
  device(path: string): NetDevice {
    const slash = path.indexOf('/');
    return slash < 0 ? this.ns('init').device(path) : this.ns(path.slice(0, slash)).device(path.slice(slash + 1));
  }

  /** A random locally administered unicast MAC (eth_hw_addr_random), from the seeded generator. */
  randomMac(): Uint8Array {
    const a = this.macs.nextU32();
    const b = this.macs.nextU32();
    return Uint8Array.of(((a >>> 24) & 0xfe) | 0x02, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff, (b >>> 8) & 0xff, b & 0xff);
  }

  addVeth(
    a: { ns: string; name: string; mac?: Uint8Array },
    b: { ns: string; name: string; mac?: Uint8Array },
  ): [NetDevice, NetDevice] {
    const nsA = this.ns(a.ns);
    const nsB = this.ns(b.ns);
    if (nsA.devices.has(a.name)) throw new SimError('EEXIST', `netns ${a.ns}: device ${a.name} already exists`);
    if (nsB.devices.has(b.name) || (nsA === nsB && a.name === b.name)) {
      throw new SimError('EEXIST', `netns ${b.ns}: device ${b.name} already exists`);
    }
    const macB = b.mac ?? this.randomMac();
    const macA = a.mac ?? this.randomMac();
    const peer = nsB.addDevice(b.name, 'veth', macB);
    const dev = nsA.addDevice(a.name, 'veth', macA);
    dev.peer = peer;
    peer.peer = dev;
    return [dev, peer];
  }

  addWire(ns: string, name: string, mac?: Uint8Array): NetDevice {
    return this.ns(ns).addDevice(name, 'wire', mac ?? this.randomMac());
  }

  /** Unregisters a device (and a veth's peer, as deleting one end deletes both). */
  removeDevice(dev: NetDevice): NetDevice[] {
    const gone = [dev];
    if (dev.peer) gone.push(dev.peer);
    for (const d of gone) d.ns.removeDevice(d);
    return gone;
  }
}
