// lpm-trie.ts: BPF_MAP_TYPE_LPM_TRIE (kernel/bpf/lpm_trie.c): a path-compressed binary trie.
// Keys are { u32 prefixlen (host order); u8 data[key_size - 4] } with bits counted from the
// most significant bit of data[0]. Lookups (program and syscall) return the longest matching
// prefix; nodes split by intermediate nodes carry no value. Built as the kernel builds it, so
// get_next_key walks the kernel's post-order (longest prefixes first, child[0] before child[1]).
// A replaced or deleted node's value slot goes through the slab's grace period (slab.ts).
import type { Region } from '../memory.js';
import { BPF_EXIST, BPF_F_RDONLY_PROG, BPF_NOEXIST } from '../spec.js';
import { BpfMap, E, type MapAttrs, type MapEnv } from './map.js';
import { ValueSlab } from './slab.js';

interface LpmNode {
  prefixlen: number;
  data: Uint8Array;
  /** value slot in the slab; -1 for an intermediate node */
  slot: number;
  child: [LpmNode | null, LpmNode | null];
}

function readU32(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}

function extractBit(data: Uint8Array, off: number, index: number): 0 | 1 {
  return ((data[off + (index >>> 3)] >>> (7 - (index & 7))) & 1) as 0 | 1;
}

export class LpmTrieMap extends BpfMap {
  readonly slab: ValueSlab;
  readonly dataSize: number;
  readonly maxPrefixlen: number;
  private root: LpmNode | null = null;
  private nEntries = 0;

  constructor(attrs: MapAttrs, env: MapEnv) {
    super(attrs, env);
    this.dataSize = this.keySize - 4;
    this.maxPrefixlen = this.dataSize * 8;
    this.slab = new ValueSlab(env.memory, `map ${this.describe()}`, this.valueSize, 1, Math.min(this.maxEntries, 64), (this.flags & BPF_F_RDONLY_PROG) === 0);
    this.valueTag = this.slab.tag;
    this.batchOps = { lookup: true, lookupAndDelete: false, update: true, delete: true };
  }

  get size(): number {
    return this.nEntries;
  }

  override quiesce(): void {
    this.slab.quiesce();
  }

  /** __longest_prefix_match: leading bits node and key share, at most min(both prefixlens). */
  private match(node: LpmNode, key: Uint8Array, koff: number, plen: number): number {
    const limit = Math.min(node.prefixlen, plen);
    let p = 0;
    const d = koff + 4;
    for (let i = 0; i < this.dataSize; i++) {
      const x = node.data[i] ^ key[d + i];
      const b = x === 0 ? 8 : Math.clz32(x) - 24;
      p += b;
      if (p >= limit) return limit;
      if (b < 8) break;
    }
    return p;
  }

  /** trie_lookup_elem: the longest prefix matching the key, or null. */
  private lookupNode(key: Uint8Array, koff: number): LpmNode | null {
    const plen = readU32(key, koff);
    if (plen > this.maxPrefixlen) return null;
    let found: LpmNode | null = null;
    for (let node = this.root; node !== null; ) {
      const m = this.match(node, key, koff, plen);
      if (m === this.maxPrefixlen) return node;
      if (m < node.prefixlen) break;
      if (node.slot >= 0) found = node;
      node = node.child[extractBit(key, koff + 4, node.prefixlen)];
    }
    return found;
  }

  private setRef(owner: LpmNode | null, dir: 0 | 1, node: LpmNode | null): void {
    if (owner === null) this.root = node;
    else owner.child[dir] = node;
  }

  private newNode(key: Uint8Array, koff: number, plen: number, slot: number): LpmNode {
    return { prefixlen: plen, data: key.slice(koff + 4, koff + 4 + this.dataSize), slot, child: [null, null] };
  }

  /** trie_update_elem. */
  private updateElem(key: Uint8Array, koff: number, src: Uint8Array, soff: number, flags: number, fromProg: boolean): number {
    if (flags > BPF_EXIST) return -E.EINVAL;
    const plen = readU32(key, koff);
    if (plen > this.maxPrefixlen) return -E.EINVAL;
    let owner: LpmNode | null = null;
    let dir: 0 | 1 = 0;
    let node = this.root;
    let m = 0;
    while (node !== null) {
      m = this.match(node, key, koff, plen);
      if (node.prefixlen !== m || node.prefixlen === plen || node.prefixlen === this.maxPrefixlen) break;
      owner = node;
      dir = extractBit(key, koff + 4, node.prefixlen);
      node = node.child[dir];
    }
    const exact = node !== null && node.prefixlen === m && node.slot >= 0;
    if (exact && flags === BPF_NOEXIST) return -E.EEXIST;
    if (!exact && flags === BPF_EXIST) return -E.ENOENT;
    if (!exact && this.nEntries >= this.maxEntries) return -E.ENOSPC;
    const slot = this.slab.alloc();
    this.slab.bytes.set(src.subarray(soff, soff + this.valueSize), this.slab.offset(slot));
    const fresh = this.newNode(key, koff, plen, slot);
    if (node === null) {
      this.setRef(owner, dir, fresh);
    } else if (node.prefixlen === m) {
      // same prefix: the new node takes the old one's place (and children)
      fresh.child = node.child;
      this.setRef(owner, dir, fresh);
      if (node.slot >= 0) this.slab.release(node.slot, fromProg);
    } else if (m === plen) {
      // the new prefix is a parent of node
      fresh.child[extractBit(node.data, 0, m)] = node;
      this.setRef(owner, dir, fresh);
    } else {
      // they diverge at bit m: an intermediate node holds both
      const im: LpmNode = { prefixlen: m, data: Uint8Array.from(node.data), slot: -1, child: [null, null] };
      if (extractBit(key, koff + 4, m)) im.child = [node, fresh];
      else im.child = [fresh, node];
      this.setRef(owner, dir, im);
    }
    if (!exact) this.nEntries++;
    return 0;
  }

  /** trie_delete_elem: exact prefix only. */
  private deleteElem(key: Uint8Array, koff: number, fromProg: boolean): number {
    const plen = readU32(key, koff);
    if (plen > this.maxPrefixlen) return -E.EINVAL;
    let owner: LpmNode | null = null; // holds the reference to node ("trim")
    let dir: 0 | 1 = 0;
    let owner2: LpmNode | null = null; // holds the reference to parent ("trim2")
    let dir2: 0 | 1 = 0;
    let parent: LpmNode | null = null;
    let node = this.root;
    let m = 0;
    while (node !== null) {
      m = this.match(node, key, koff, plen);
      if (node.prefixlen !== m || node.prefixlen === plen) break;
      owner2 = owner;
      dir2 = dir;
      parent = node;
      owner = node;
      dir = extractBit(key, koff + 4, node.prefixlen);
      node = node.child[dir];
    }
    if (node === null || node.prefixlen !== plen || node.prefixlen !== m || node.slot < 0) return -E.ENOENT;
    this.nEntries--;
    this.slab.release(node.slot, fromProg);
    if (node.child[0] && node.child[1]) {
      node.slot = -1; // becomes intermediate
      return 0;
    }
    if (parent && parent.slot < 0 && !node.child[0] && !node.child[1]) {
      this.setRef(owner2, dir2, node === parent.child[0] ? parent.child[1] : parent.child[0]);
      return 0;
    }
    this.setRef(owner, dir, node.child[0] ?? node.child[1]);
    return 0;
  }

  private writeKey(node: LpmNode, out: Uint8Array): number {
    new DataView(out.buffer, out.byteOffset, 4).setUint32(0, node.prefixlen, true);
    out.set(node.data, 4);
    return 0;
  }

  /** trie_get_next_key: post-order successor of the exact key, else the first node in post-order. */
  protected sysNextKey(key: Uint8Array | null, out: Uint8Array): number {
    if (this.root === null) return -E.ENOENT;
    let searchRoot: LpmNode | null = this.root;
    const plen = key === null ? 0 : readU32(key, 0);
    if (key !== null && plen <= this.maxPrefixlen) {
      const stack: LpmNode[] = [];
      let node: LpmNode | null = this.root;
      let m = 0;
      while (node !== null) {
        stack.push(node);
        m = this.match(node, key, 0, plen);
        if (node.prefixlen !== m || node.prefixlen === plen) break;
        node = node.child[extractBit(key, 4, node.prefixlen)];
      }
      if (node !== null && node.prefixlen === m && node.slot >= 0) {
        let cur = stack.pop()!;
        for (;;) {
          const p = stack.pop();
          if (p === undefined) return -E.ENOENT;
          if (p.child[0] === cur && p.child[1] !== null) {
            searchRoot = p.child[1];
            break;
          }
          if (p.slot >= 0) return this.writeKey(p, out);
          cur = p;
        }
      }
    }
    // leftmost node in post-order below searchRoot (intermediate nodes always have two children)
    let next: LpmNode | null = null;
    for (let node: LpmNode | null = searchRoot; node !== null; ) {
      if (node.slot < 0) node = node.child[0];
      else {
        next = node;
        node = node.child[0] ?? node.child[1];
      }
    }
    return next ? this.writeKey(next, out) : -E.ENOENT;
  }

  protected sysLookup(key: Uint8Array, out: Uint8Array): number {
    const n = this.lookupNode(key, 0);
    if (n === null) return -E.ENOENT;
    const at = this.slab.offset(n.slot);
    out.set(this.slab.bytes.subarray(at, at + this.valueSize));
    return 0;
  }

  protected sysUpdate(key: Uint8Array, value: Uint8Array, flags: number): number {
    return this.updateElem(key, 0, value, 0, flags, false);
  }

  protected sysDelete(key: Uint8Array): number {
    return this.deleteElem(key, 0, false);
  }

  override progLookup(key: Region, keyOff: number): number {
    const n = this.lookupNode(key.bytes, keyOff);
    return n === null ? -1 : this.slab.offset(n.slot);
  }

  override progUpdate(key: Region, keyOff: number, val: Region, valOff: number, flags: number): number {
    return this.updateElem(key.bytes, keyOff, val.bytes, valOff, flags, true);
  }

  override progDelete(key: Region, keyOff: number): number {
    return this.deleteElem(key.bytes, keyOff, true);
  }
}
