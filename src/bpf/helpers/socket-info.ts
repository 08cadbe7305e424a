// socket-info.ts: what tc helpers can learn about the sending socket, namespace and route
// (net/core/filter.c): get_socket_cookie, get_socket_uid, skb_cgroup_id, get_cgroup_classid,
// get_route_realm, get_netns_cookie. The simulation answers from skb.sk and the HelperEnv:
//   get_socket_cookie  skb.sk.cookie, assigned on first use from env.nextSocketCookie (kernel:
//                      sock_gen_cookie's counter); 0 without a socket
//   get_socket_uid     skb.sk.uid if modelled, else 0 (test-run's dummy socket is root's);
//                      65534 (overflowuid) without a socket
//   skb_cgroup_id      skb.sk.cgroupId if modelled, else 1 (the cgroup v2 root); 0 without one
//   get_cgroup_classid skb.sk.classid if modelled, else 0 (net_cls not configured)
//   get_route_realm    0: tcxsim skbs carry no route (dst) with a realm
//   get_netns_cookie   env.netnsCookie (the socket's namespace), else 1; always 1 (init_net)
//                      for a NULL ctx or an skb without a socket, as the kernel
import type { SkbSocket } from '../skb/socket.js';
import type { Vm } from '../vm.js';
import { envOf } from './env.js';
import { defineHelper, retU32, retU64 } from './registry.js';

export const BPF_FUNC_get_cgroup_classid = 17;
export const BPF_FUNC_get_route_realm = 24;
export const BPF_FUNC_get_socket_cookie = 46;
export const BPF_FUNC_get_socket_uid = 47;
export const BPF_FUNC_skb_cgroup_id = 79;
export const BPF_FUNC_get_netns_cookie = 122;

/** overflowuid: what a uid that cannot be mapped (or no socket) reads as. */
export const OVERFLOW_UID = 65534;
/** cgroup_id() of the cgroup v2 root. */
export const ROOT_CGROUP_ID = 1n;
/** init_net's net_cookie (the first namespace cookie handed out). */
export const INIT_NET_COOKIE = 1n;

/** Socket facts SkbSocket may carry; read when present so the helpers follow the socket model. */
interface SocketIdentity {
  uid?: number;
  cgroupId?: bigint;
  classid?: number;
}

function sockOf(vm: Vm): (SkbSocket & SocketIdentity) | null {
  return envOf(vm).skb.sk as (SkbSocket & SocketIdentity) | null;
}

defineHelper({
  id: BPF_FUNC_get_socket_cookie,
  fn: (vm) => {
    const sk = sockOf(vm);
    if (sk === null) return retU64(vm, 0n);
    if (sk.cookie === 0n) {
      const env = envOf(vm);
      const next = env.nextSocketCookie ?? 1n;
      sk.cookie = next;
      env.nextSocketCookie = next + 1n;
    }
    retU64(vm, sk.cookie);
  },
});

defineHelper({
  id: BPF_FUNC_get_socket_uid,
  fn: (vm) => {
    const sk = sockOf(vm);
    retU32(vm, sk === null ? OVERFLOW_UID : (sk.uid ?? 0));
  },
});

defineHelper({
  id: BPF_FUNC_skb_cgroup_id,
  fn: (vm) => {
    const sk = sockOf(vm);
    retU64(vm, sk === null ? 0n : (sk.cgroupId ?? ROOT_CGROUP_ID));
  },
});

defineHelper({
  id: BPF_FUNC_get_cgroup_classid,
  fn: (vm) => retU32(vm, sockOf(vm)?.classid ?? 0),
});

defineHelper({ id: BPF_FUNC_get_route_realm, fn: (vm) => retU32(vm, 0) });

defineHelper({
  id: BPF_FUNC_get_netns_cookie,
  fn: (vm) => {
    // a NULL ctx, or an skb without a socket, reports init_net whatever namespace the skb is in
    const isNull = vm.regs[2] === 0 && vm.regs[3] === 0;
    retU64(vm, isNull || sockOf(vm) === null ? INIT_NET_COOKIE : (envOf(vm).net?.netnsCookie() ?? envOf(vm).netnsCookie ?? INIT_NET_COOKIE));
  },
});
