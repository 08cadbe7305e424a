// fdtable.ts: a process fd table holding bpf objects. New fds take the lowest free number,
// like the kernel; 0, 1 and 2 are open stdio files that are not bpf objects (so fd 0 as a
// program gives EINVAL, as on a real system).
import type { TcxLink } from './link.js';
import type { BpfProgram } from './program.js';

export type FdObject =
  | { readonly kind: 'prog'; readonly prog: BpfProgram }
  | { readonly kind: 'link'; readonly link: TcxLink }
  | { readonly kind: 'other' };

const STDIO: FdObject = { kind: 'other' };

export class FdTable {
  private readonly files = new Map<number, FdObject>([
    [0, STDIO],
    [1, STDIO],
    [2, STDIO],
  ]);

  install(obj: FdObject): number {
    let fd = 0;
    while (this.files.has(fd)) fd++;
    this.files.set(fd, obj);
    return fd;
  }

  get(fd: number): FdObject | undefined {
    return this.files.get(fd);
  }

  remove(fd: number): FdObject | undefined {
    const obj = this.files.get(fd);
    this.files.delete(fd);
    return obj;
  }
}
