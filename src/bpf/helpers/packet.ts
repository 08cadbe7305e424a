// packet.ts: byte access to the packet through helpers (net/core/filter.c): skb_load_bytes,
// skb_load_bytes_relative, skb_store_bytes and skb_pull_data, with the kernel's checks in the
// kernel's order and errnos. Failed loads zero-fill the destination, as the kernel does.
import { ERRNO } from '../../errors.js';
import { HEADER_UNSET } from '../skb/skb.js';
import type { Vm } from '../vm.js';
import { envOf } from './env.js';
import { argBytes, argU32, defineHelper, retS64 } from './registry.js';
import { clearHash, ensureWritable, postpullRcsum, postpushRcsum } from './skb-ops.js';

export const BPF_FUNC_skb_store_bytes = 9;
export const BPF_FUNC_skb_load_bytes = 26;
export const BPF_FUNC_skb_pull_data = 39;
export const BPF_FUNC_skb_load_bytes_relative = 68;

/** skb_store_bytes flags */
export const BPF_F_RECOMPUTE_CSUM = 1 << 0;
export const BPF_F_INVALIDATE_HASH = 1 << 1;
/** skb_load_bytes_relative start_header */
export const BPF_HDR_START_MAC = 0;
export const BPF_HDR_START_NET = 1;

const INT_MAX = 0x7fffffff;

/** The helper's `len` argument bytes at r_i (resolved once; zero length never touches memory). */
function dest(vm: Vm, i: number, len: number): Uint8Array {
  return len === 0 ? EMPTY : argBytes(vm, i, len, true);
}
const EMPTY = new Uint8Array(0);

function loadBytes(vm: Vm): void {
  const skb = envOf(vm).skb;
  const off = argU32(vm, 2);
  const len = argU32(vm, 4);
  const to = dest(vm, 3, len);
  // skb_header_pointer(): the whole range must lie inside skb->len
  if (off > INT_MAX || off + len > skb.len) {
    to.fill(0);
    return retS64(vm, -ERRNO.EFAULT);
  }
  to.set(skb.buf.subarray(skb.data + off, skb.data + off + len));
  retS64(vm, 0);
}

function loadBytesRelative(vm: Vm): void {
  const skb = envOf(vm).skb;
  const off = argU32(vm, 2);
  const len = argU32(vm, 4);
  const start = argU32(vm, 5);
  const to = dest(vm, 3, len);
  let base = HEADER_UNSET;
  if (off <= 0xffff) {
    if (start === BPF_HDR_START_MAC) base = skb.macHeader;
    else if (start === BPF_HDR_START_NET) base = skb.networkHeader;
  }
  // the range may start before data (a MAC header at ingress) but must end by the tail
  if (base === HEADER_UNSET || base + off + len > skb.tail) {
    to.fill(0);
    return retS64(vm, -ERRNO.EFAULT);
  }
  to.set(skb.buf.subarray(base + off, base + off + len));
  retS64(vm, 0);
}

function storeBytes(vm: Vm): void {
  const skb = envOf(vm).skb;
  const off = argU32(vm, 2);
  const len = argU32(vm, 4);
  const flagsLo = vm.regs[10];
  const flagsHi = vm.regs[11];
  if ((flagsLo & ~(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH)) !== 0 || flagsHi !== 0) return retS64(vm, -ERRNO.EINVAL);
  if (off > INT_MAX) return retS64(vm, -ERRNO.EFAULT);
  if (!ensureWritable(skb, off + len)) return retS64(vm, -ERRNO.EFAULT);
  const from = len === 0 ? EMPTY : argBytes(vm, 3, len, false);
  const at = skb.data + off;
  if (flagsLo & BPF_F_RECOMPUTE_CSUM) postpullRcsum(skb, at, len, off);
  skb.buf.set(from, at); // TypedArray.set copies like memmove when `from` is the packet itself
  if (flagsLo & BPF_F_RECOMPUTE_CSUM) postpushRcsum(skb, at, len, off);
  if (flagsLo & BPF_F_INVALIDATE_HASH) clearHash(skb);
  retS64(vm, 0);
}

function pullData(vm: Vm): void {
  const skb = envOf(vm).skb;
  const len = argU32(vm, 2);
  // bpf_try_make_writable(skb, len ?: skb_headlen(skb)); a linear skb only fails past its end
  retS64(vm, ensureWritable(skb, len === 0 ? skb.len : len) ? 0 : -ERRNO.ENOMEM);
}

defineHelper({ id: BPF_FUNC_skb_load_bytes, fn: loadBytes });
defineHelper({ id: BPF_FUNC_skb_load_bytes_relative, fn: loadBytesRelative });
defineHelper({ id: BPF_FUNC_skb_store_bytes, fn: storeBytes, changesPktData: true });
defineHelper({ id: BPF_FUNC_skb_pull_data, fn: pullData, changesPktData: true });
