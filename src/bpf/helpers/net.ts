// net.ts: helpers that ask the packet's network namespace: bpf_fib_lookup (69) and
// bpf_check_mtu (163), answered through HelperEnv.net (the datapath's FIB and devices). Under
// BPF_PROG_TEST_RUN there is no network: the skb is on loopback in an empty namespace, so
// lookups find no route and check_mtu measures against loopback's 65536-byte MTU.
import { ERRNO } from '../../errors.js';
import { NetNamespace } from '../../netdev/netns.js';
import { bpfSkbFibLookup } from '../../netdev/stack/fib-lookup.js';
import type { Skb } from '../skb/skb.js';
import { envOf, type HelperNet } from './env.js';
import { argBytes, argS32, argU32, argU64, defineHelper, retS64 } from './registry.js';

export const BPF_FUNC_fib_lookup = 69;
export const BPF_FUNC_check_mtu = 163;
export const BPF_MTU_CHK_SEGS = 1;
export const BPF_MTU_CHK_RET_SUCCESS = 0;
export const BPF_MTU_CHK_RET_FRAG_NEEDED = 1;
export const BPF_MTU_CHK_RET_SEGS_TOOBIG = 2;
/** dev->hard_header_len of Ethernet devices and loopback. */
const ETH_HLEN = 14;
const LOOPBACK_MTU = 65536;

let testRunNet: HelperNet | undefined;

/** The network of a test run: loopback (ifindex 1) alone in a namespace without routes. */
function netOf(env: { net?: HelperNet }): HelperNet {
  if (env.net !== undefined) return env.net;
  if (testRunNet === undefined) {
    const ns = new NetNamespace('test_run', 1);
    testRunNet = {
      deviceMtu: (ifindex) => (ifindex === 0 || ifindex === 1 ? LOOPBACK_MTU : undefined),
      fibLookup: (p, plen, flags, skb) => bpfSkbFibLookup(ns, p, plen, flags, skb),
      netnsCookie: () => 1n,
    };
  }
  return testRunNet;
}

defineHelper({
  id: BPF_FUNC_fib_lookup,
  fn: (vm) => {
    const env = envOf(vm);
    const plen = argU32(vm, 3);
    const params = argBytes(vm, 2, plen, true);
    retS64(vm, netOf(env).fibLookup(params, plen, Number(argU64(vm, 4) & 0xffffffffn), env.skb));
  },
});

// net/core/filter.c bpf_skb_check_mtu (6.18): *mtu_len as input when set, len_diff signed,
// GSO packets pass unless BPF_MTU_CHK_SEGS; *mtu_len is set to the device MTU on every path
// that gets past the device lookup.
defineHelper({
  id: BPF_FUNC_check_mtu,
  fn: (vm) => {
    const env = envOf(vm);
    const flags = argU64(vm, 5);
    const mtuLen = argBytes(vm, 3, 4, true);
    const view = new DataView(mtuLen.buffer, mtuLen.byteOffset, 4);
    const lenDiff = argS32(vm, 4);
    const inLen = view.getUint32(0, true);
    if (flags & ~BigInt(BPF_MTU_CHK_SEGS)) return retS64(vm, -ERRNO.EINVAL);
    const segs = (flags & BigInt(BPF_MTU_CHK_SEGS)) !== 0n;
    if (segs && (lenDiff !== 0 || inLen !== 0)) return retS64(vm, -ERRNO.EINVAL);
    const mtu = netOf(env).deviceMtu(argU32(vm, 2));
    if (mtu === undefined) return retS64(vm, -ERRNO.ENODEV);
    const skb: Skb = env.skb;
    const devLen = mtu + ETH_HLEN;
    // `int skb_len = *mtu_len + hard_header_len (u32) + len_diff` wraps like C int (measured:
    // *mtu_len 0xffffffff or len_diff 0x7fffffff pass)
    const skbLen = ((inLen !== 0 ? (inLen + ETH_HLEN) | 0 : skb.len) + lenDiff) | 0;
    let ret = BPF_MTU_CHK_RET_FRAG_NEEDED;
    if (skbLen <= devLen) ret = BPF_MTU_CHK_RET_SUCCESS;
    else if (skb.gsoSize > 0) {
      ret = BPF_MTU_CHK_RET_SUCCESS;
      if (segs) {
        // skb_gso_validate_network_len: each segment's network length must fit the MTU; an
        // unset transport header (offset ~0) makes every segment too big
        const hdr = skb.transportHeader < 0 ? 0xffff : skb.transportHeader - skb.networkHeader;
        if (hdr + skb.gsoSize > mtu) ret = BPF_MTU_CHK_RET_SEGS_TOOBIG;
      }
    }
    view.setUint32(0, mtu, true);
    retS64(vm, ret);
  },
});
