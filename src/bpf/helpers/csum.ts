// csum.ts: checksum helpers (net/core/filter.c, net/core/utils.c inet_proto_csum_replace*):
// l3_csum_replace, l4_csum_replace, csum_diff, csum_update, csum_level. Fields are rewritten
// incrementally exactly as the kernel computes them (wsum.ts), so the bytes match, not just
// the validity of the result.
import { ERRNO } from '../../errors.js';
import { CHECKSUM_COMPLETE, CHECKSUM_PARTIAL, CHECKSUM_UNNECESSARY } from '../skb/constants.js';
import type { Skb } from '../skb/skb.js';
import type { Vm } from '../vm.js';
import { envOf } from './env.js';
import { argBytes, argU32, defineHelper, retS64, retU32 } from './registry.js';
import { decrChecksumUnnecessary, ensureWritable, incrChecksumUnnecessary, resetChecksumUnnecessary } from './skb-ops.js';
import {
  csumAdd,
  csumFold,
  csumFrom32to16,
  csumPartial,
  csumReplace2,
  csumReplace4,
  csumReplaceByDiff,
  csumSub,
  loadLe16,
  storeLe16,
} from './wsum.js';

export const BPF_FUNC_l3_csum_replace = 10;
export const BPF_FUNC_l4_csum_replace = 11;
export const BPF_FUNC_csum_diff = 28;
export const BPF_FUNC_csum_update = 40;
export const BPF_FUNC_csum_level = 135;

/** l3/l4_csum_replace flags (include/uapi/linux/bpf.h) */
export const BPF_F_HDR_FIELD_MASK = 0xf;
export const BPF_F_PSEUDO_HDR = 1 << 4;
export const BPF_F_MARK_MANGLED_0 = 1 << 5;
export const BPF_F_MARK_ENFORCE = 1 << 6;
export const BPF_F_IPV6 = 1 << 7;
/** CSUM_MANGLED_0: a UDP checksum that computed to 0 is sent as all ones. */
export const CSUM_MANGLED_0 = 0xffff;

/** csum_level levels */
export const BPF_CSUM_LEVEL_QUERY = 0;
export const BPF_CSUM_LEVEL_INC = 1;
export const BPF_CSUM_LEVEL_DEC = 2;
export const BPF_CSUM_LEVEL_RESET = 3;

const L4_FLAGS = BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR | BPF_F_HDR_FIELD_MASK | BPF_F_IPV6;

/** The common offset checks; returns the absolute position of the field or a negative errno. */
function fieldAt(skb: Skb, off: number): number {
  if (off > 0xffff || off & 1) return -ERRNO.EFAULT;
  if (!ensureWritable(skb, off + 2)) return -ERRNO.EFAULT;
  return skb.data + off;
}

function l3CsumReplace(vm: Vm): void {
  const skb = envOf(vm).skb;
  const r = vm.regs;
  if ((r[10] & ~BPF_F_HDR_FIELD_MASK) !== 0 || r[11] !== 0) return retS64(vm, -ERRNO.EINVAL);
  const at = fieldAt(skb, argU32(vm, 2));
  if (at < 0) return retS64(vm, at);
  const from = r[6] >>> 0;
  const to = r[8] >>> 0;
  switch (r[10] & BPF_F_HDR_FIELD_MASK) {
    case 0:
      if (from !== 0 || r[7] !== 0) return retS64(vm, -ERRNO.EINVAL);
      csumReplaceByDiff(skb.buf, at, to);
      break;
    case 2:
      csumReplace2(skb.buf, at, from & 0xffff, to & 0xffff);
      break;
    case 4:
      csumReplace4(skb.buf, at, from, to);
      break;
    default:
      return retS64(vm, -ERRNO.EINVAL);
  }
  retS64(vm, 0);
}

/** inet_proto_csum_replace4 (replace2 is the same with zero-extended 16-bit values). */
function protoReplace4(skb: Skb, at: number, from: number, to: number, pseudo: boolean): void {
  const b = skb.buf;
  if (skb.ipSummed !== CHECKSUM_PARTIAL) {
    csumReplace4(b, at, from, to);
    if (skb.ipSummed === CHECKSUM_COMPLETE && pseudo) skb.csum = ~csumAdd(csumSub(~skb.csum >>> 0, from), to) >>> 0;
  } else if (pseudo) {
    storeLe16(b, at, ~csumFold(csumAdd(csumSub(loadLe16(b, at), from), to)) & 0xffff);
  }
}

/** inet_proto_csum_replace_by_diff */
function protoReplaceByDiff(skb: Skb, at: number, diff: number, pseudo: boolean, ipv6: boolean): void {
  const b = skb.buf;
  if (skb.ipSummed !== CHECKSUM_PARTIAL) {
    csumReplaceByDiff(b, at, diff);
    if (skb.ipSummed === CHECKSUM_COMPLETE && pseudo && !ipv6) skb.csum = ~csumSub(diff, skb.csum) >>> 0;
  } else if (pseudo) {
    storeLe16(b, at, ~csumFold(csumAdd(diff, loadLe16(b, at))) & 0xffff);
  }
}

function l4CsumReplace(vm: Vm): void {
  const skb = envOf(vm).skb;
  const r = vm.regs;
  const flags = r[10];
  if ((flags & ~L4_FLAGS) !== 0 || r[11] !== 0) return retS64(vm, -ERRNO.EINVAL);
  const at = fieldAt(skb, argU32(vm, 2));
  if (at < 0) return retS64(vm, at);
  const pseudo = (flags & BPF_F_PSEUDO_HDR) !== 0;
  const mmzero = (flags & BPF_F_MARK_MANGLED_0) !== 0;
  const mforce = (flags & BPF_F_MARK_ENFORCE) !== 0;
  const b = skb.buf;
  // UDP over IPv4 without a checksum (0) stays without one
  if (mmzero && !mforce && loadLe16(b, at) === 0) return retS64(vm, 0);
  const from = r[6] >>> 0;
  const to = r[8] >>> 0;
  switch (flags & BPF_F_HDR_FIELD_MASK) {
    case 0:
      if (from !== 0 || r[7] !== 0) return retS64(vm, -ERRNO.EINVAL);
      protoReplaceByDiff(skb, at, to, pseudo, (flags & BPF_F_IPV6) !== 0);
      break;
    case 2:
      protoReplace4(skb, at, from & 0xffff, to & 0xffff, pseudo);
      break;
    case 4:
      protoReplace4(skb, at, from, to, pseudo);
      break;
    default:
      return retS64(vm, -ERRNO.EINVAL);
  }
  if (mmzero && loadLe16(b, at) === 0) storeLe16(b, at, CSUM_MANGLED_0);
  retS64(vm, 0);
}

function csumDiff(vm: Vm): void {
  const fromSize = argU32(vm, 2);
  const toSize = argU32(vm, 4);
  let ret = vm.regs[10] >>> 0; // seed (__wsum)
  const from = fromSize === 0 ? null : argBytes(vm, 1, fromSize, false);
  const to = toSize === 0 ? null : argBytes(vm, 3, toSize, false);
  if (from !== null && to !== null) ret = csumSub(csumPartial(to, 0, toSize, ret), csumPartial(from, 0, fromSize, 0));
  else if (to !== null) ret = csumPartial(to, 0, toSize, ret);
  else if (from !== null) ret = ~csumPartial(from, 0, fromSize, ~ret >>> 0) >>> 0;
  // 6.x returns the sum folded to 16 bits (not inverted)
  retU32(vm, csumFrom32to16(ret));
}

function csumUpdate(vm: Vm): void {
  const skb = envOf(vm).skb;
  if (skb.ipSummed !== CHECKSUM_COMPLETE) return retS64(vm, -ERRNO.ENOTSUPP);
  skb.csum = csumAdd(skb.csum, vm.regs[4] >>> 0);
  retU32(vm, skb.csum);
}

function csumLevel(vm: Vm): void {
  const skb = envOf(vm).skb;
  const level = vm.regs[5] !== 0 ? -1 : vm.regs[4] >>> 0;
  switch (level) {
    case BPF_CSUM_LEVEL_INC:
      incrChecksumUnnecessary(skb);
      break;
    case BPF_CSUM_LEVEL_DEC:
      decrChecksumUnnecessary(skb);
      break;
    case BPF_CSUM_LEVEL_RESET:
      resetChecksumUnnecessary(skb);
      break;
    case BPF_CSUM_LEVEL_QUERY:
      return retS64(vm, skb.ipSummed === CHECKSUM_UNNECESSARY ? skb.csumLevel : -ERRNO.EACCES);
    default:
      return retS64(vm, -ERRNO.EINVAL);
  }
  retS64(vm, 0);
}

defineHelper({ id: BPF_FUNC_l3_csum_replace, fn: l3CsumReplace, changesPktData: true });
defineHelper({ id: BPF_FUNC_l4_csum_replace, fn: l4CsumReplace, changesPktData: true });
defineHelper({ id: BPF_FUNC_csum_diff, fn: csumDiff });
defineHelper({ id: BPF_FUNC_csum_update, fn: csumUpdate });
defineHelper({ id: BPF_FUNC_csum_level, fn: csumLevel });
