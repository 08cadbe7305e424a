// test-run.ts: the skb BPF_PROG_TEST_RUN builds for a tc program (net/bpf/test_run.c
// bpf_prog_test_run_skb + convert___skb_to_skb) and what it hands back (convert_skb_to___skb).
// Same checks in the same order, same errnos: EINVAL for bad sizes or ctx_in bytes, E2BIG for a
// non-zero ctx_in tail past 192 bytes, ENODEV for an unknown ctx_in.ifindex.
import { SimError } from '../../errors.js';
import {
  AF_INET,
  AF_INET6,
  ETH_HLEN,
  ETH_P_IP,
  ETH_P_IPV6,
  GSO_LEGACY_MAX_SIZE,
  GSO_MAX_SEGS,
  NET_IP_ALIGN,
  NET_SKB_PAD,
} from '../skb/constants.js';
import { LOOPBACK_DEVICE, ethTypeTrans, type EthDevice } from '../skb/eth-type-trans.js';
import { Skb } from '../skb/skb.js';
import { SkbSocket } from '../skb/socket.js';
import { SKB_OFF, SK_BUFF_SIZE } from './sk-buff-layout.js';

const PAGE_SIZE = 4096;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64 */
const SHINFO_SIZE = 320;
/** Largest data_in: PAGE_SIZE - headroom - tailroom = 3712 on x86-64 (measured). */
export const TEST_RUN_MAX_DATA = PAGE_SIZE - (NET_SKB_PAD + NET_IP_ALIGN) - SHINFO_SIZE;

/** Byte ranges of __sk_buff that ctx_in may set; every other byte must be zero. */
const CTX_IN_ALLOWED: ReadonlyArray<readonly [number, number, string]> = [
  [SKB_OFF.mark, 4, 'mark'],
  [SKB_OFF.priority, 12, 'priority, ingress_ifindex, ifindex'],
  [SKB_OFF.cb, 20, 'cb'],
  [SKB_OFF.tstamp, 16, 'tstamp, wire_len, gso_segs'],
  [SKB_OFF.gso_size, 4, 'gso_size'],
  [SKB_OFF.hwtstamp, 8, 'hwtstamp'],
];

export interface TestRunOptions {
  /** Reuse this Skb (its fields are reset). */
  skb?: Skb;
  /** Devices other than loopback that ctx_in.ifindex may name (dev_get_by_index). */
  device?: (ifindex: number) => EthDevice | undefined;
  /**
   * Whether the caller passes a ctx_out buffer (default true). With neither ctx_in nor ctx_out
   * the kernel has no ctx at all and leaves wire_len 0.
   */
  ctxOut?: boolean;
}

const sockets = new WeakMap<Skb, SkbSocket>();

/** Builds the skb of a tc test run, or throws SimError with the kernel's errno. */
export function skbFromTestRun(dataIn: Uint8Array, ctxIn?: Uint8Array | null, opts: TestRunOptions = {}): Skb {
  if (dataIn.length < ETH_HLEN || dataIn.length > TEST_RUN_MAX_DATA) {
    throw new SimError('EINVAL', `test run: data_in is ${dataIn.length} bytes (tc needs ${ETH_HLEN}..${TEST_RUN_MAX_DATA})`);
  }
  const ctx = ctxIn ?? null;
  const hasCtx = ctx !== null || opts.ctxOut !== false;
  if (ctx !== null) checkTail(ctx);
  const skb = opts.skb ?? new Skb();
  skb.load(dataIn);
  skb.wireLen = 0;
  let sk = sockets.get(skb);
  if (sk === undefined) {
    sk = new SkbSocket();
    sockets.set(skb, sk);
  }
  sk.clear();
  skb.sk = sk;

  let dev = LOOPBACK_DEVICE;
  const ifindex = ctx === null ? 0 : u32(ctx, SKB_OFF.ifindex);
  if (ifindex > 1) {
    const found = opts.device?.(ifindex);
    if (found === undefined) throw new SimError('ENODEV', `test run: ctx_in.ifindex ${ifindex} names no device`);
    dev = found;
  }
  ethTypeTrans(skb, dev);
  skb.resetNetworkHeader();
  const b = skb.buf;
  const nh = skb.data;
  if (skb.protocol === ETH_P_IP) {
    // 6.18 refuses an IPv4/IPv6 frame whose fixed IP header is cut short (measured: EINVAL).
    if (skb.len < 20) throw new SimError('EINVAL', `test run: IPv4 frame has ${skb.len} bytes after Ethernet, header needs 20`);
    sk.family = AF_INET;
    sk.rcvSaddr4.set(b.subarray(nh + 12, nh + 16));
    sk.daddr4.set(b.subarray(nh + 16, nh + 20));
  } else if (skb.protocol === ETH_P_IPV6) {
    if (skb.len < 40) throw new SimError('EINVAL', `test run: IPv6 frame has ${skb.len} bytes after Ethernet, header needs 40`);
    sk.family = AF_INET6;
    sk.rcvSaddr6.set(b.subarray(nh + 8, nh + 24));
    sk.daddr6.set(b.subarray(nh + 24, nh + 40));
  }
  skb.push(ETH_HLEN); // SCHED_CLS sees the Ethernet header
  if (hasCtx) convertCtxIn(skb, ctx);
  return skb;
}

/** data_out and ctx_out after the program ran; ctx_out starts from ctx_in (gso_size is echoed). */
export function testRunOutput(skb: Skb, ctxIn?: Uint8Array | null): { dataOut: Uint8Array; ctxOut: Uint8Array } {
  const ctxOut = new Uint8Array(SK_BUFF_SIZE);
  if (ctxIn) ctxOut.set(ctxIn.subarray(0, SK_BUFF_SIZE));
  const dv = new DataView(ctxOut.buffer);
  dv.setUint32(SKB_OFF.mark, skb.mark >>> 0, true);
  dv.setUint32(SKB_OFF.priority, skb.priority >>> 0, true);
  dv.setUint32(SKB_OFF.ingress_ifindex, skb.ingressIfindex >>> 0, true);
  dv.setUint32(SKB_OFF.ifindex, skb.ifindex >>> 0, true);
  dv.setBigUint64(SKB_OFF.tstamp, BigInt.asUintN(64, skb.tstamp), true);
  ctxOut.set(skb.cb, SKB_OFF.cb);
  dv.setUint32(SKB_OFF.wire_len, skb.wireLen >>> 0, true);
  dv.setUint32(SKB_OFF.gso_segs, skb.gsoSegs & 0xffff, true);
  dv.setBigUint64(SKB_OFF.hwtstamp, BigInt.asUintN(64, skb.hwtstamp), true);
  return { dataOut: skb.bytes().slice(), ctxOut };
}

/** bpf_ctx_init's bpf_check_uarg_tail_zero: bytes past 192 must be zero. */
function checkTail(ctx: Uint8Array): void {
  if (ctx.length > PAGE_SIZE) throw new SimError('E2BIG', `test run: ctx_in is ${ctx.length} bytes (at most ${PAGE_SIZE})`);
  for (let i = SK_BUFF_SIZE; i < ctx.length; i++) {
    if (ctx[i] !== 0) throw new SimError('E2BIG', `test run: ctx_in byte ${i} is past the ${SK_BUFF_SIZE}-byte __sk_buff and not zero`);
  }
}

/** convert___skb_to_skb */
function convertCtxIn(skb: Skb, ctxIn: Uint8Array | null): void {
  const ctx = new Uint8Array(SK_BUFF_SIZE);
  if (ctxIn !== null) ctx.set(ctxIn.subarray(0, SK_BUFF_SIZE));
  let allowed = 0;
  for (let off = 0; off < SK_BUFF_SIZE; off++) {
    while (allowed < CTX_IN_ALLOWED.length && off >= CTX_IN_ALLOWED[allowed][0] + CTX_IN_ALLOWED[allowed][1]) allowed++;
    const r = CTX_IN_ALLOWED[allowed];
    const inAllowed = r !== undefined && off >= r[0];
    if (!inAllowed && ctx[off] !== 0) {
      throw new SimError('EINVAL', `test run: ctx_in byte ${off} is set, but only ${CTX_IN_ALLOWED.map((a) => a[2]).join(', ')} may be`);
    }
  }
  const dv = new DataView(ctx.buffer);
  skb.mark = dv.getUint32(SKB_OFF.mark, true);
  skb.priority = dv.getUint32(SKB_OFF.priority, true);
  skb.ingressIfindex = dv.getUint32(SKB_OFF.ingress_ifindex, true);
  skb.tstamp = dv.getBigUint64(SKB_OFF.tstamp, true);
  skb.cb.set(ctx.subarray(SKB_OFF.cb, SKB_OFF.cb + 20));
  const wire = dv.getUint32(SKB_OFF.wire_len, true);
  if (wire === 0) {
    skb.wireLen = skb.len;
  } else {
    if (wire < skb.len || wire > GSO_LEGACY_MAX_SIZE) {
      throw new SimError('EINVAL', `test run: ctx_in.wire_len ${wire} must be 0 or ${skb.len}..${GSO_LEGACY_MAX_SIZE}`);
    }
    skb.wireLen = wire;
  }
  const segs = dv.getUint32(SKB_OFF.gso_segs, true);
  if (segs > GSO_MAX_SEGS) throw new SimError('EINVAL', `test run: ctx_in.gso_segs ${segs} is over ${GSO_MAX_SEGS}`);
  skb.gsoSegs = segs;
  skb.gsoSize = dv.getUint32(SKB_OFF.gso_size, true) & 0xffff; // shinfo->gso_size is u16
  skb.hwtstamp = dv.getBigUint64(SKB_OFF.hwtstamp, true);
}

function u32(b: Uint8Array, off: number): number {
  return off + 4 <= b.length ? (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0 : 0;
}
