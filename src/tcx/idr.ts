// idr.ts: cyclic id allocation like idr_alloc_cyclic(idr, obj, 1, INT_MAX): ids count up from
// the last one handed out, are not reused until the counter wraps, and a freed id stays unused.

const INT_MAX = 0x7fffffff;

export class CyclicIdr<T> {
  private readonly objs = new Map<number, T>();
  private next = 1;

  /** Takes the next free id and stores the object `make` builds for it. */
  alloc(make: (id: number) => T): T {
    for (let tries = 0; tries < INT_MAX; tries++) {
      const id = this.next;
      this.next = id >= INT_MAX ? 1 : id + 1;
      if (!this.objs.has(id)) {
        const obj = make(id);
        this.objs.set(id, obj);
        return obj;
      }
    }
    throw new Error('idr: id space exhausted');
  }

  /** Stores an object under an id chosen elsewhere (a shared id space); EEXIST-like throw if taken. */
  allocAt(id: number, make: (id: number) => T): T {
    if (this.objs.has(id)) throw new Error(`idr: id ${id} is taken`);
    const obj = make(id);
    this.objs.set(id, obj);
    if (id >= this.next) this.next = id >= INT_MAX ? 1 : id + 1;
    return obj;
  }

  get(id: number): T | undefined {
    return this.objs.get(id);
  }

  remove(id: number): void {
    this.objs.delete(id);
  }
}
