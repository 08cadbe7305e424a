// neigh.ts: a namespace's neighbour table (static entries, as `ip neigh add ... nud permanent`):
// next-hop address on a device → MAC address. Lookups allocate nothing.
import { formatIp } from './addr.js';

export interface Neighbour {
  readonly ifindex: number;
  readonly ip: Uint8Array;
  readonly mac: Uint8Array;
}

export class NeighTable {
  private readonly entries = new Map<string, Neighbour>();

  add(n: Neighbour): void {
    this.entries.set(key(n.ifindex, n.ip), n);
  }

  lookup(ifindex: number, ip: Uint8Array): Neighbour | undefined {
    return this.entries.get(key(ifindex, ip));
  }

  removeDevice(ifindex: number): void {
    for (const [k, n] of this.entries) if (n.ifindex === ifindex) this.entries.delete(k);
  }

  list(): Neighbour[] {
    return [...this.entries.values()];
  }
}

function key(ifindex: number, ip: Uint8Array): string {
  return `${ifindex}/${formatIp(ip)}`;
}
