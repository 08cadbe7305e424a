// memory.ts: the memory model every pointer a program holds lives in. A 64-bit pointer is
// (hi = region tag, lo = byte offset in that region); every access looks up the region by tag
// and checks the offset and size against it, so no program can touch anything else.
//
//   tag    0         1     2..9        10..73             74       75        76..127  128..
//        scalar   ctx   stack 0..7  packet generations  map ptr  func ptr  (unused) maps, global data, test memory
//        (NULL)
//
// A helper that changes the packet (skb_change_tail, ...) moves the packet to the next
// generation tag and turns the old one into an invalid region, so stale pointers fault
// (where the kernel's verifier would have refused the program).
import { BpfFault } from './fault.js';

export const TAG_CTX = 1;
export const TAG_STACK0 = 2;
export const TAG_PACKET0 = 10;
export const PACKET_GENERATIONS = 64;
export const TAG_MAP_PTR = 74;
export const TAG_FUNC = 75;
export const TAG_STATIC0 = 128;

/** Loads and stores into a context region go through this (the __sk_buff rules live elsewhere). */
export interface CtxHandler {
  /**
   * Reads `size` bytes at `off` into regs[2*dst] (lo) and regs[2*dst+1] (hi); throws BpfFault if
   * forbidden. `signed` is set for sign-extending loads (BPF_MEMSX), which pointer fields refuse.
   */
  load(off: number, size: number, regs: Int32Array, dst: number, pc: number, signed?: boolean): void;
  /**
   * Writes the low `size` bytes of (lo, hi) at `off`; throws BpfFault if forbidden. `fromImm` is
   * set for BPF_ST (immediate) stores, which the kernel rewrites differently for some fields.
   */
  store(off: number, size: number, lo: number, hi: number, pc: number, fromImm?: boolean): void;
}

/** One addressable region. All regions share this shape so the interpreter's lookups stay monomorphic. */
export class Region {
  readonly view: DataView;
  /**
   * Bytes that may be accessed, from offset 0. Mutable only for packet regions, which reuse one
   * preallocated buffer across packets and set `size` to data_end for each run.
   */
  size: number;
  constructor(
    readonly name: string,
    readonly bytes: Uint8Array,
    readonly writable: boolean,
    /** For map value slabs: distance between elements (0 = one plain block). */
    readonly stride = 0,
    /** For map value slabs: bytes of each element that may be touched. */
    readonly elemSize = 0,
    /** Context regions: every access goes through the handler. */
    readonly ctx: CtxHandler | null = null,
    /** Set on regions that exist only to fault with a reason (NULL, stale packet). */
    readonly invalid: string | null = null,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.size = invalid === null ? bytes.byteLength : 0;
  }

  static invalidRegion(name: string, reason: string): Region {
    return new Region(name, EMPTY, false, 0, 0, null, reason);
  }
}

const EMPTY = new Uint8Array(0);
const NULL_REGION = Region.invalidRegion('null', 'NULL or scalar pointer dereference');

/** The region table of one simulated machine. */
export class Memory {
  readonly regions: Region[] = [];
  private nextStatic = TAG_STATIC0;
  private packetGen = 0;
  /** Highest generation used since the last resetPacket (only those slots need clearing). */
  private packetHigh = 0;
  /**
   * One faulting region per helper that invalidates packet pointers (no allocation per call),
   * found by scanning `staleWhy`: a handful of helper names, compared by identity first, cost
   * less than a Map lookup by string on every checksum helper call.
   */
  private readonly staleWhy: string[] = [];
  private readonly staleRegion: Region[] = [];

  constructor() {
    for (let i = 0; i < TAG_STATIC0; i++) this.regions.push(NULL_REGION);
    this.regions[TAG_MAP_PTR] = Region.invalidRegion('map', 'a map pointer cannot be dereferenced');
    this.regions[TAG_FUNC] = Region.invalidRegion('func', 'a function pointer cannot be dereferenced');
  }

  /** Adds a long-lived region (map values, global data, test memory) and returns its tag. */
  addStatic(region: Region): number {
    const tag = this.nextStatic++;
    this.regions[tag] = region;
    return tag;
  }

  /** Replaces the region behind a tag (a map whose storage was reallocated keeps its tag). */
  set(tag: number, region: Region): void {
    this.regions[tag] = region;
  }

  /** Removes a long-lived region: later accesses through its pointers fault. */
  remove(tag: number, reason = 'region was freed'): void {
    this.regions[tag] = Region.invalidRegion(this.regions[tag]?.name ?? 'freed', reason);
  }

  /** Installs the packet of a new run at the first generation tag and returns that tag. */
  resetPacket(region: Region): number {
    for (let i = 1; i <= this.packetHigh; i++) this.regions[TAG_PACKET0 + i] = NULL_REGION;
    this.packetHigh = 0;
    this.packetGen = 0;
    this.regions[TAG_PACKET0] = region;
    return TAG_PACKET0;
  }

  /** The packet changed shape: old pointers go stale, the new region gets the next tag. */
  replacePacket(region: Region, why: string): number {
    const old = TAG_PACKET0 + this.packetGen;
    this.regions[old] = this.staleFor(why);
    this.packetGen = (this.packetGen + 1) % PACKET_GENERATIONS;
    if (this.packetGen > this.packetHigh) this.packetHigh = this.packetGen;
    const tag = TAG_PACKET0 + this.packetGen;
    this.regions[tag] = region;
    return tag;
  }

  private staleFor(why: string): Region {
    const names = this.staleWhy;
    for (let i = 0; i < names.length; i++) if (names[i] === why) return this.staleRegion[i];
    const stale = Region.invalidRegion('packet', `packet pointer invalidated by ${why}`);
    names.push(why);
    this.staleRegion.push(stale);
    return stale;
  }

  get packetTag(): number {
    return TAG_PACKET0 + this.packetGen;
  }

  /**
   * Resolves (hi, lo) for a `size`-byte access by helpers (not the interpreter's hot path):
   * returns the region and offset, or throws a BpfFault naming the region.
   */
  resolve(hi: number, lo: number, size: number, write: boolean, pc = -1): { region: Region; offset: number } {
    const region = this.regions[hi];
    const offset = lo >>> 0;
    if (region === undefined) {
      throw new BpfFault('null_dereference', pc, `pointer ${formatPointer(hi, lo)} is not in any region`);
    }
    checkAccess(region, offset, size, write, pc);
    return { region, offset };
  }
}

/** The full bounds/permission check, shared by the interpreter's slow path and helpers. */
export function checkAccess(region: Region, offset: number, size: number, write: boolean, pc: number): void {
  if (region.invalid !== null) {
    const kind = region.name === 'packet' ? 'stale_packet_pointer' : 'null_dereference';
    throw new BpfFault(kind, pc, region.invalid, region.name, offset, size);
  }
  if (offset + size > region.size) {
    throw new BpfFault(
      'out_of_bounds',
      pc,
      `${size}-byte ${write ? 'write' : 'read'} at offset ${offset} of ${region.name} (${region.size} bytes)`,
      region.name,
      offset,
      size,
    );
  }
  if (region.stride !== 0 && (offset % region.stride) + size > region.elemSize) {
    throw new BpfFault(
      'out_of_bounds',
      pc,
      `${size}-byte ${write ? 'write' : 'read'} at offset ${offset % region.stride} of a ${region.elemSize}-byte ${region.name} value`,
      region.name,
      offset % region.stride,
      size,
    );
  }
  if (write && !region.writable) {
    throw new BpfFault('read_only', pc, `write into read-only ${region.name}`, region.name, offset, size);
  }
}

export function formatPointer(hi: number, lo: number): string {
  return `0x${(hi >>> 0).toString(16).padStart(8, '0')}${(lo >>> 0).toString(16).padStart(8, '0')}`;
}
