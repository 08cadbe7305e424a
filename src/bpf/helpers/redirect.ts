// redirect.ts: redirect, redirect_peer, redirect_neigh and clone_redirect (net/core/filter.c).
// The first three only record the request on skb.redirect (the kernel's per-CPU
// bpf_redirect_info) and return TC_ACT_REDIRECT, or TC_ACT_SHOT for bad arguments; the datapath
// acts on the record when the program's verdict is TC_ACT_REDIRECT. clone_redirect checks what it
// can (flags, GSO type, the device through env.devExists), then has the datapath clone and send
// the packet during the call (env.cloneRedirect); without a datapath it records the request.
import { ERRNO } from '../../errors.js';
import type { Skb } from '../skb/skb.js';
import type { Vm } from '../vm.js';
import { envOf, type HelperEnv } from './env.js';
import { argBytes, argU32, defineHelper, retS64 } from './registry.js';
import { isGso } from './skb-ops.js';

export const BPF_FUNC_clone_redirect = 13;
export const BPF_FUNC_redirect = 23;
export const BPF_FUNC_redirect_neigh = 152;
export const BPF_FUNC_redirect_peer = 155;

export const BPF_F_INGRESS = 1 << 0;
/** include/uapi/linux/pkt_cls.h */
export const TC_ACT_SHOT = 2;
export const TC_ACT_REDIRECT = 7;
/** sizeof(struct bpf_redir_neigh): u32 nh_family + 16 bytes of next hop. */
export const BPF_REDIR_NEIGH_SIZE = 20;
const LOOPBACK_IFINDEX = 1;

/** Only BPF_F_INGRESS may be set (in all 64 bits). */
function badFlags(vm: Vm, i: number): boolean {
  return (vm.regs[2 * i] & ~BPF_F_INGRESS) !== 0 || vm.regs[2 * i + 1] !== 0;
}

/** dev_get_by_index in the skb's namespace, as far as the simulation was told. */
export function deviceExists(env: HelperEnv, skb: Skb, ifindex: number): boolean {
  if (env.devExists !== undefined) return env.devExists(ifindex);
  return ifindex !== 0 && (ifindex === LOOPBACK_IFINDEX || ifindex === skb.ifindex);
}

function redirect(vm: Vm): void {
  if (badFlags(vm, 2)) return retS64(vm, TC_ACT_SHOT);
  envOf(vm).skb.redirect.set('redirect', argU32(vm, 1), vm.regs[4] & BPF_F_INGRESS);
  retS64(vm, TC_ACT_REDIRECT);
}

function redirectPeer(vm: Vm): void {
  if (vm.regs[4] !== 0 || vm.regs[5] !== 0) return retS64(vm, TC_ACT_SHOT);
  envOf(vm).skb.redirect.set('peer', argU32(vm, 1), 0);
  retS64(vm, TC_ACT_REDIRECT);
}

function redirectNeigh(vm: Vm): void {
  const plen = vm.regs[6]; // int
  if ((plen !== 0 && plen >>> 0 < BPF_REDIR_NEIGH_SIZE) || vm.regs[8] !== 0 || vm.regs[9] !== 0) {
    return retS64(vm, TC_ACT_SHOT);
  }
  const req = envOf(vm).skb.redirect;
  req.set('neigh', argU32(vm, 1), 0);
  if (plen !== 0) {
    const p = argBytes(vm, 2, BPF_REDIR_NEIGH_SIZE, false);
    req.neigh.present = true;
    req.neigh.family = (p[0] | (p[1] << 8) | (p[2] << 16) | (p[3] << 24)) >>> 0;
    req.neigh.addr.set(p.subarray(4, 20)); // copied whole, as the kernel's memcpy of bpf_nh_params
  }
  retS64(vm, TC_ACT_REDIRECT);
}

function cloneRedirect(vm: Vm): void {
  const env = envOf(vm);
  const skb = env.skb;
  if (badFlags(vm, 3)) return retS64(vm, -ERRNO.EINVAL);
  // test-run's ctx_in can make a GSO skb without a GSO type; the kernel refuses to send those
  if (isGso(skb) && skb.gsoType === 0) return retS64(vm, -ERRNO.EBADMSG);
  const ifindex = argU32(vm, 2);
  if (!deviceExists(env, skb, ifindex)) return retS64(vm, -ERRNO.EINVAL);
  const flags = vm.regs[6] & BPF_F_INGRESS;
  // net/core/filter.c: skb_clone, then __bpf_redirect(clone, dev, flags) inside the call
  if (env.cloneRedirect !== undefined) return retS64(vm, env.cloneRedirect(skb, ifindex, flags));
  // BPF_PROG_TEST_RUN: nothing to send to; the request is recorded
  skb.redirect.clones.push(ifindex, flags);
  retS64(vm, 0);
}

defineHelper({ id: BPF_FUNC_redirect, fn: redirect });
defineHelper({ id: BPF_FUNC_redirect_peer, fn: redirectPeer });
defineHelper({ id: BPF_FUNC_redirect_neigh, fn: redirectNeigh });
defineHelper({ id: BPF_FUNC_clone_redirect, fn: cloneRedirect, changesPktData: true });
