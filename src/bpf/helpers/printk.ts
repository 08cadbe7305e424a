// printk.ts: bpf_trace_printk (id 6). Validates the format like bpf_bprintf_prepare
// (kernel/bpf/helpers.c): at most 3 arguments, flags [0 +-] and a width, %d %i %u %x %X with
// l/ll, %c, %s, %p %pK %px %ps %pS %pB, %pI4/%pi4/%pI6/%pi6/%pks/%pus; anything else is -EINVAL.
// Returns bstr_printf's untruncated length; the traced message is cut at 1023 bytes and at a NUL
// (checked against test/fixtures/helpers/truth_printk.json). The line goes to the simulation's
// trace_pipe in the kernel's format; its prefix (task, pid, flags, timestamp) is simulated.
import { ERRNO } from '../../errors.js';
import type { Vm } from '../vm.js';
import { envOf } from './env.js';
import { argBytes, argU32, defineHelper, retS64 } from './registry.js';

export const BPF_FUNC_trace_printk = 6;
const MAX_BPRINTF_BUF = 1024;

/**
 * Formats `fmt` with up to 3 u64 arguments as bstr_printf would, untruncated (the helper's return
 * value is this length; the trace line keeps the first MAX_BPRINTF_BUF - 1 bytes up to any NUL);
 * a negative errno when bpf_bprintf_prepare refuses the format.
 */
export function bprintf(vm: Vm, fmt: string, args: readonly bigint[]): string | number {
  let out = '';
  let spec = 0;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt.charCodeAt(i);
    // Linux 6.18 refuses ASCII control characters and DEL but lets bytes >= 0x80 through (measured)
    if (c < 0x80 && !isPrint(c) && !isSpace(c)) return -ERRNO.EINVAL;
    if (fmt[i] !== '%') {
      out += fmt[i];
      continue;
    }
    if (fmt[i + 1] === '%') {
      out += '%';
      i++;
      continue;
    }
    if (spec >= args.length) return -ERRNO.EINVAL;
    const arg = args[spec++];
    i++;
    let flags = '';
    while (i < fmt.length && '0+- '.includes(fmt[i])) flags += fmt[i++];
    let width = '';
    if (fmt[i] >= '1' && fmt[i] <= '9') while (fmt[i] >= '0' && fmt[i] <= '9') width += fmt[i++];
    const pad = (s: string): string => padTo(s, flags, width);
    if (fmt[i] === 'p') {
      const n = fmt[i + 1];
      if ((n === 'k' || n === 'u') && fmt[i + 2] === 's') {
        i += 2;
        out += pad(readString(vm, arg));
        continue;
      }
      if (n === undefined || isSpace(n.charCodeAt(0)) || isPunct(n.charCodeAt(0)) || n === 'K') {
        // %p and %pK print the pointer hashed (ptr_to_id; %pK hashes when kptr_restrict is 0)
        if (n === 'K') i++;
        out += pad(hashedPointer(arg));
        continue;
      }
      if (n === 'x') {
        i++;
        out += pad(arg.toString(16).padStart(16, '0'));
        continue;
      }
      if (n === 's' || n === 'S' || n === 'B') {
        // symbol formats: a value that is no kernel symbol prints as 0x<hex>
        i++;
        out += pad(`0x${arg.toString(16)}`);
        continue;
      }
      if ((n === 'I' || n === 'i') && (fmt[i + 2] === '4' || fmt[i + 2] === '6')) {
        // an unreadable address is copied as zeros (bpf_bprintf_prepare); the width is not applied
        const len = fmt[i + 2] === '4' ? 4 : 16;
        out += printkIp(readMem(vm, arg, len) ?? new Uint8Array(len), n === 'i');
        i += 2;
        continue;
      }
      return -ERRNO.EINVAL;
    }
    if (fmt[i] === 's') {
      out += pad(readString(vm, arg));
      continue;
    }
    if (fmt[i] === 'c') {
      out += pad(String.fromCharCode(Number(arg & 0xffn)));
      continue;
    }
    let bits = 32;
    if (fmt[i] === 'l') {
      bits = 64;
      i++;
      if (fmt[i] === 'l') i++;
    }
    const conv = fmt[i];
    const v = BigInt.asUintN(bits, arg);
    switch (conv) {
      case 'd':
      case 'i': {
        const s = BigInt.asIntN(bits, v);
        out += pad(`${s >= 0n && flags.includes('+') ? '+' : s >= 0n && flags.includes(' ') ? ' ' : ''}${s}`);
        break;
      }
      case 'u':
        out += pad(v.toString());
        break;
      case 'x':
        out += pad(v.toString(16));
        break;
      case 'X':
        out += pad(v.toString(16).toUpperCase());
        break;
      default:
        return -ERRNO.EINVAL;
    }
  }
  return out;
}

/** The message bpf_trace_printk traces: bstr_printf's MAX_BPRINTF_BUF buffer, read as a C string. */
export function traceMessage(formatted: string): string {
  const cut = formatted.length >= MAX_BPRINTF_BUF ? formatted.slice(0, MAX_BPRINTF_BUF - 1) : formatted;
  const nul = cut.indexOf('\0');
  return nul < 0 ? cut : cut.slice(0, nul);
}

/**
 * %p/%pK: the kernel prints siphash(ptr) with a per-boot key as 16 hex digits, the upper 8 zero.
 * The simulator uses a fixed 32-bit mix instead: the same value always prints the same.
 */
function hashedPointer(v: bigint): string {
  let h = 0x811c9dc5;
  for (let k = 0n; k < 64n; k += 8n) h = Math.imul(h ^ Number((v >> k) & 0xffn), 0x01000193) >>> 0;
  return h.toString(16).padStart(16, '0');
}

function isPrint(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}

function isPunct(c: number): boolean {
  return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

/**
 * lib/vsprintf.c ip_addr_string: %pI4 `1.2.3.4`, %pi4 `001.002.003.004`, %pI6 eight colon-separated
 * 4-digit groups (uncompressed), %pi6 32 hex digits.
 */
function printkIp(b: Uint8Array, noDots: boolean): string {
  if (b.length === 4) return Array.from(b, (x) => (noDots ? String(x).padStart(3, '0') : String(x))).join('.');
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return noDots ? hex : hex.match(/.{4}/g)!.join(':');
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function padTo(s: string, flags: string, width: string): string {
  const w = width === '' ? 0 : Number(width);
  if (s.length >= w) return s;
  if (flags.includes('-')) return s.padEnd(w, ' ');
  if (flags.includes('0') && /^[+ -]?[0-9a-fA-F]+$/.test(s)) {
    const sign = /^[+ -]/.test(s) ? s[0] : '';
    return sign + s.slice(sign.length).padStart(w - sign.length, '0');
  }
  return s.padStart(w, ' ');
}

function readMem(vm: Vm, ptr: bigint, size: number): Uint8Array | undefined {
  const hi = Number(ptr >> 32n) | 0;
  const lo = Number(ptr & 0xffffffffn) | 0;
  const region = vm.memory.regions[hi];
  const off = lo >>> 0;
  if (region === undefined || region.invalid !== null || off + size > region.size) return undefined;
  return region.bytes.subarray(off, off + size);
}

/** A NUL-terminated string at `ptr`, like strncpy_from_kernel_nofault; NULL or unreadable → "". */
function readString(vm: Vm, ptr: bigint): string {
  const hi = Number(ptr >> 32n) | 0;
  const lo = Number(ptr & 0xffffffffn) >>> 0;
  const region = vm.memory.regions[hi];
  if (ptr === 0n || region === undefined || region.invalid !== null || lo >= region.size) return '';
  let s = '';
  for (let k = lo; k < region.size && region.bytes[k] !== 0 && s.length < MAX_BPRINTF_BUF; k++) s += String.fromCharCode(region.bytes[k]);
  return s;
}

/** `<task>-<pid> [cpu] flags sec.usec: bpf_trace_printk: msg`, as trace_pipe prints it. */
export function tracePipeLine(task: string, cpu: number, monotonicNs: bigint, msg: string): string {
  const us = monotonicNs / 1000n;
  const sec = us / 1_000_000n;
  const frac = (us % 1_000_000n).toString().padStart(6, '0');
  const head = `${task.slice(0, 16)}-0`.padStart(22, ' ');
  return `${head}     [${String(cpu).padStart(3, '0')}] b..1. ${String(sec).padStart(5, ' ')}.${frac}: bpf_trace_printk: ${msg}`;
}

defineHelper({
  id: BPF_FUNC_trace_printk,
  gplOnly: true,
  fn: (vm) => {
    const size = argU32(vm, 2);
    const raw = argBytes(vm, 1, size, false);
    const nul = raw.indexOf(0);
    if (nul < 0) return retS64(vm, -ERRNO.EINVAL);
    const fmt = String.fromCharCode(...raw.subarray(0, nul));
    const msg = bprintf(vm, fmt, [vm.reg(3), vm.reg(4), vm.reg(5)]);
    if (typeof msg === 'number') return retS64(vm, msg);
    const env = envOf(vm);
    // the message keeps a trailing newline: trace_pipe then shows an empty line after it
    env.printk.printk(tracePipeLine(env.progName, env.cpu, env.clock.monotonicNs, traceMessage(msg)));
    retS64(vm, msg.length);
  },
});
