// misc-base.ts: bpf_base_func_proto helpers that are not maps, time or packets (kernel/bpf/helpers.c):
// spin_lock/unlock (no-ops: one simulated CPU runs at a time), strncmp, strtol/strtoul, and the
// current-task helpers. Packets reach tc in softirq context, where current is the CPU's idle
// task: pid/tgid 0, uid/gid 0 (root), comm "swapper/<cpu>". (Under BPF_PROG_TEST_RUN the kernel
// reports the calling process instead; the simulator models the datapath.)
// strtol/strtoul/strncmp checked against Linux 6.18 (test/bpf/helpers/misc-base.test.ts).
import { ERRNO } from '../../errors.js';
import type { Vm } from '../vm.js';
import { envOf } from './env.js';
import { argU32, defineHelper, helperFault, memArg, retS64, retU64 } from './registry.js';

export const BPF_FUNC_get_current_pid_tgid = 14;
export const BPF_FUNC_get_current_uid_gid = 15;
export const BPF_FUNC_get_current_comm = 16;
export const BPF_FUNC_spin_lock = 93;
export const BPF_FUNC_spin_unlock = 94;
export const BPF_FUNC_strtol = 105;
export const BPF_FUNC_strtoul = 106;
export const BPF_FUNC_strncmp = 182;

/** include/uapi/linux/bpf.h BPF_STRTOX_BASE_MASK */
export const BPF_STRTOX_BASE_MASK = 0x1f;
/** sizeof(struct bpf_spin_lock) */
const SPIN_LOCK_SIZE = 4;

// The verifier guarantees the lock lives in a map value and is released before exit; the only
// run-time effect left is that the pointer must be valid.
function spinLock(vm: Vm): void {
  memArg(vm, 1, SPIN_LOCK_SIZE, true);
  retS64(vm, 0);
}
defineHelper({ id: BPF_FUNC_spin_lock, fn: spinLock });
defineHelper({ id: BPF_FUNC_spin_unlock, fn: spinLock });

defineHelper({ id: BPF_FUNC_get_current_pid_tgid, fn: (vm) => retU64(vm, 0n) });
defineHelper({ id: BPF_FUNC_get_current_uid_gid, fn: (vm) => retU64(vm, 0n) });

// strscpy_pad(buf, comm, size): at most size-1 bytes, NUL-terminated, the rest zeroed.
defineHelper({
  id: BPF_FUNC_get_current_comm,
  fn: (vm) => {
    const size = argU32(vm, 2);
    const { region, offset } = memArg(vm, 1, size, true);
    const comm = `swapper/${envOf(vm).cpu}`;
    const buf = region.bytes;
    buf.fill(0, offset, offset + size);
    for (let k = 0; k < comm.length && k < size - 1; k++) buf[offset + k] = comm.charCodeAt(k);
    retS64(vm, 0);
  },
});

// bpf_strncmp(s1, s1_sz, s2): lib/string.c strncmp, so -1 / 0 / 1, comparing unsigned bytes.
defineHelper({
  id: BPF_FUNC_strncmp,
  fn: (vm) => {
    const n = argU32(vm, 2);
    const s1 = memArg(vm, 1, n, false);
    const s2 = vm.memory.regions[vm.regs[7]];
    let at2 = vm.regs[6] >>> 0;
    for (let k = 0; k < n; k++, at2++) {
      if (s2 === undefined || s2.invalid !== null || at2 >= s2.size) {
        throw helperFault(vm, BPF_FUNC_strncmp, 's2 is not a NUL-terminated constant string (the verifier refuses this)');
      }
      const c1 = s1.region.bytes[s1.offset + k];
      const c2 = s2.bytes[at2];
      if (c1 !== c2) return retS64(vm, c1 < c2 ? -1 : 1);
      if (c1 === 0) break;
    }
    retS64(vm, 0);
  },
});

const MAX_STRTOX = 63; // __bpf_strtoull copies at most sizeof(char[64]) - 1 bytes

/** __bpf_strtoull: consumed bytes (>= 0) or -errno; value and sign through `out`. */
function strtoull(bytes: Uint8Array, at: number, len: number, flags: bigint, out: { value: bigint; negative: boolean }): number {
  let base = Number(flags & BigInt(BPF_STRTOX_BASE_MASK));
  if (len === 0) return -ERRNO.EINVAL;
  if (base !== 0 && base !== 8 && base !== 10 && base !== 16) return -ERRNO.EINVAL;
  if (flags & ~BigInt(BPF_STRTOX_BASE_MASK)) return -ERRNO.EINVAL;
  let p = at;
  const end = at + len;
  while (p < end && isSpace(bytes[p])) p++;
  out.negative = p < end && bytes[p] === 0x2d;
  if (out.negative) p++;
  const consumed = p - at;
  const n = Math.min(end - p, MAX_STRTOX);
  if (n === 0) return -ERRNO.EINVAL;
  // the kernel parses a NUL-terminated copy: stop at the first NUL
  let s = p;
  const stop = p + n;
  const ch = (i: number): number => (i < stop ? bytes[i] : 0);
  // _parse_integer_fixup_radix
  const x = (c: number): boolean => (c | 0x20) === 0x78;
  if (base === 0) {
    if (ch(s) === 0x30) base = x(ch(s + 1)) && isXdigit(ch(s + 2)) ? 16 : 8;
    else base = 10;
  }
  if (base === 16 && ch(s) === 0x30 && x(ch(s + 1))) s += 2;
  // _parse_integer: digits below base; overflow is remembered, parsing goes on
  let value = 0n;
  let overflow = false;
  const start = s;
  for (;;) {
    const d = digit(ch(s));
    if (d < 0 || d >= base) break;
    value = value * BigInt(base) + BigInt(d);
    if (value > 0xffffffffffffffffn) {
      overflow = true;
      value &= 0xffffffffffffffffn;
    }
    s++;
  }
  if (overflow) return -ERRNO.ERANGE;
  if (s === start) return -ERRNO.EINVAL;
  out.value = value;
  return consumed + (s - p);
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isXdigit(c: number): boolean {
  return digit(c) >= 0 && digit(c) < 16;
}

function digit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x7a) return l - 0x61 + 10;
  return -1;
}

const parsed = { value: 0n, negative: false };

/** (buf, buf_len, flags, res*): res is zeroed first, so an error leaves 0 there. */
function strtox(vm: Vm, signed: boolean): void {
  const len = argU32(vm, 2);
  const res = memArg(vm, 4, 8, true);
  const view = res.region.view;
  view.setBigUint64(res.offset, 0n, true);
  const buf = len === 0 ? null : memArg(vm, 1, len, false);
  if (buf === null) return retS64(vm, -ERRNO.EINVAL);
  const r = strtoull(buf.region.bytes, buf.offset, len, vm.reg(3), parsed);
  if (r < 0) return retS64(vm, r);
  let v = parsed.value;
  if (signed) {
    // __bpf_strtoll: -v must stay negative, v must stay positive
    if (parsed.negative) {
      if (BigInt.asIntN(64, -v) > 0n) return retS64(vm, -ERRNO.ERANGE);
      v = BigInt.asUintN(64, -v);
    } else if (BigInt.asIntN(64, v) < 0n) return retS64(vm, -ERRNO.ERANGE);
  } else if (parsed.negative) return retS64(vm, -ERRNO.EINVAL);
  view.setBigUint64(res.offset, v, true);
  retS64(vm, r);
}

defineHelper({ id: BPF_FUNC_strtol, fn: (vm) => strtox(vm, true) });
defineHelper({ id: BPF_FUNC_strtoul, fn: (vm) => strtox(vm, false) });
