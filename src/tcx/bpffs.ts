// bpffs.ts: a simulated bpf filesystem: path -> pinned object. A pin holds one reference;
// unlink drops it (for a link whose fds are all closed, that releases and detaches it).
import { SimError } from '../errors.js';
import type { FdObject } from './fdtable.js';

export class BpfFs {
  private readonly pins = new Map<string, FdObject>();

  pin(path: string, obj: FdObject): void {
    if (this.pins.has(path)) throw new SimError('EEXIST', `bpffs pin ${path}: already exists`);
    this.pins.set(path, obj);
  }

  get(path: string): FdObject {
    const obj = this.pins.get(path);
    if (!obj) throw new SimError('ENOENT', `bpffs get ${path}: no such pin`);
    return obj;
  }

  unlink(path: string): FdObject {
    const obj = this.get(path);
    this.pins.delete(path);
    return obj;
  }

  list(): string[] {
    return [...this.pins.keys()];
  }
}
