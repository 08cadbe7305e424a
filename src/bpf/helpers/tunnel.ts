// tunnel.ts: skb_get_tunnel_key / skb_set_tunnel_key / skb_get_tunnel_opt / skb_set_tunnel_opt
// (net/core/filter.c) over skb.tunnel (the ip_tunnel_info of a metadata dst). set_tunnel_key
// attaches TX metadata, which the kernel keeps as key.dst = remote, key.src = local; RX metadata
// from a collect_md device has key.src = remote. get_tunnel_key always reports key.src as remote,
// so a get after a set in the same program swaps the addresses, as in the kernel.
//
//   struct bpf_tunnel_key (44 bytes): id@0 remote@4..20 tos@20 ttl@21 ext/flags@22 label@24 local@28..44
import { ERRNO } from '../../errors.js';
import { IP_TUNNEL_OPTS_MAX, type TunnelInfo } from '../skb/tunnel.js';
import type { Vm } from '../vm.js';
import { envOf } from './env.js';
import { argBytes, argU32, defineHelper, retS64 } from './registry.js';

export const BPF_FUNC_skb_get_tunnel_key = 20;
export const BPF_FUNC_skb_set_tunnel_key = 21;
export const BPF_FUNC_skb_get_tunnel_opt = 29;
export const BPF_FUNC_skb_set_tunnel_opt = 30;

/** get/set_tunnel_key flags */
export const BPF_F_TUNINFO_IPV6 = 1 << 0;
export const BPF_F_ZERO_CSUM_TX = 1 << 1;
export const BPF_F_DONT_FRAGMENT = 1 << 2;
export const BPF_F_SEQ_NUMBER = 1 << 3;
export const BPF_F_NO_TUNNEL_KEY = 1 << 4;
export const BPF_F_TUNINFO_FLAGS = 1 << 4;

/** IP_TUNNEL_*_BIT as masks (the historical TUNNEL_* values; bits >= 16 are not in the be16). */
export const TUNNEL_CSUM = 1 << 0;
export const TUNNEL_KEY = 1 << 2;
export const TUNNEL_SEQ = 1 << 3;
export const TUNNEL_DONT_FRAGMENT = 1 << 8;
export const TUNNEL_GENEVE_OPT = 1 << 11;
export const TUNNEL_VXLAN_OPT = 1 << 12;
export const TUNNEL_NOCACHE = 1 << 13;
export const TUNNEL_ERSPAN_OPT = 1 << 14;
export const TUNNEL_GTP_OPT = 1 << 15;
export const TUNNEL_PFCP_OPT = 1 << 16;
/** ip_tunnel_set_options_present: every option kind at once. */
export const TUNNEL_OPTIONS_PRESENT = TUNNEL_GENEVE_OPT | TUNNEL_VXLAN_OPT | TUNNEL_ERSPAN_OPT | TUNNEL_GTP_OPT | TUNNEL_PFCP_OPT;

export const BPF_TUNNEL_KEY_SIZE = 44;
/** offsetof(struct bpf_tunnel_key, ...) of the older, shorter layouts the kernel still accepts */
const OFF_REMOTE_IPV6_1 = 8;
const OFF_TUNNEL_EXT = 22;
const OFF_TUNNEL_LABEL = 24;
const OFF_LOCAL_IPV6_0 = 28;
/** IPV6_FLOWLABEL_MASK in host order */
const IPV6_FLOWLABEL_MASK = 0x000fffff;

const KEY = new Uint8Array(BPF_TUNNEL_KEY_SIZE);
const KEY_VIEW = new DataView(KEY.buffer);

function isCompatSize(size: number): boolean {
  return size === OFF_LOCAL_IPV6_0 || size === OFF_TUNNEL_LABEL || size === OFF_TUNNEL_EXT || size === OFF_REMOTE_IPV6_1;
}

/** key.u.ipv4.src / dst as the kernel stores them, from tcxsim's remote/local view. */
function keySrc4(t: TunnelInfo): number {
  return t.tx ? t.localIpv4 : t.remoteIpv4;
}
function keyDst4(t: TunnelInfo): number {
  return t.tx ? t.remoteIpv4 : t.localIpv4;
}

function getTunnelKey(vm: Vm): void {
  const t = envOf(vm).skb.tunnel;
  const size = argU32(vm, 3);
  const to = argBytes(vm, 2, size, true);
  const flags = vm.regs[8];
  const fail = (err: number): void => {
    to.fill(0);
    retS64(vm, err);
  };
  if (!t.present || (flags & ~(BPF_F_TUNINFO_IPV6 | BPF_F_TUNINFO_FLAGS)) !== 0 || vm.regs[9] !== 0) return fail(-ERRNO.EINVAL);
  const wantV6 = (flags & BPF_F_TUNINFO_IPV6) !== 0;
  if (t.ipv6 !== wantV6) return fail(-ERRNO.EPROTO);
  if (size !== BPF_TUNNEL_KEY_SIZE) {
    if (!isCompatSize(size)) return fail(-ERRNO.EINVAL);
    if (size === OFF_REMOTE_IPV6_1 && t.ipv6) return fail(-ERRNO.EINVAL);
  }
  KEY.fill(0);
  KEY_VIEW.setUint32(0, t.id >>> 0, true);
  KEY[20] = t.tos;
  KEY[21] = t.ttl;
  if (flags & BPF_F_TUNINFO_FLAGS) KEY_VIEW.setUint16(22, t.flags & 0xffff, false); // __be16 tunnel_flags
  if (wantV6) {
    KEY.set(t.tx ? t.localIpv6 : t.remoteIpv6, 4);
    KEY.set(t.tx ? t.remoteIpv6 : t.localIpv6, 28);
    KEY_VIEW.setUint32(24, t.label >>> 0, true);
  } else {
    KEY_VIEW.setUint32(4, keySrc4(t), true);
    KEY_VIEW.setUint32(28, keyDst4(t), true);
  }
  to.set(KEY.subarray(0, size));
  retS64(vm, 0);
}

function setTunnelKey(vm: Vm): void {
  const t = envOf(vm).skb.tunnel;
  const size = argU32(vm, 3);
  const flags = vm.regs[8];
  const allowed = BPF_F_TUNINFO_IPV6 | BPF_F_ZERO_CSUM_TX | BPF_F_DONT_FRAGMENT | BPF_F_SEQ_NUMBER | BPF_F_NO_TUNNEL_KEY;
  if ((flags & ~allowed) !== 0 || vm.regs[9] !== 0) return retS64(vm, -ERRNO.EINVAL);
  if (size !== BPF_TUNNEL_KEY_SIZE && !isCompatSize(size)) return retS64(vm, -ERRNO.EINVAL);
  KEY.fill(0);
  KEY.set(argBytes(vm, 2, size, false)); // shorter layouts are zero-padded
  const v6 = (flags & BPF_F_TUNINFO_IPV6) !== 0;
  const label = KEY_VIEW.getUint32(24, true);
  const ext = KEY_VIEW.getUint16(22, true);
  if ((!v6 && label !== 0) || ext !== 0) return retS64(vm, -ERRNO.EINVAL);
  t.clear();
  t.present = true;
  t.tx = true;
  t.ipv6 = v6;
  let f = TUNNEL_NOCACHE;
  if (flags & BPF_F_DONT_FRAGMENT) f |= TUNNEL_DONT_FRAGMENT;
  if (!(flags & BPF_F_ZERO_CSUM_TX)) f |= TUNNEL_CSUM;
  if (flags & BPF_F_SEQ_NUMBER) f |= TUNNEL_SEQ;
  if (!(flags & BPF_F_NO_TUNNEL_KEY)) f |= TUNNEL_KEY;
  t.flags = f;
  t.id = KEY_VIEW.getUint32(0, true);
  t.tos = KEY[20];
  t.ttl = KEY[21];
  if (v6) {
    t.remoteIpv6.set(KEY.subarray(4, 20));
    t.localIpv6.set(KEY.subarray(28, 44));
    t.label = label & IPV6_FLOWLABEL_MASK;
  } else {
    t.remoteIpv4 = KEY_VIEW.getUint32(4, true);
    t.localIpv4 = KEY_VIEW.getUint32(28, true);
  }
  retS64(vm, 0);
}

function getTunnelOpt(vm: Vm): void {
  const t = envOf(vm).skb.tunnel;
  const size = argU32(vm, 3);
  const to = argBytes(vm, 2, size, true);
  if (!t.present || (t.flags & TUNNEL_OPTIONS_PRESENT) === 0) {
    to.fill(0);
    return retS64(vm, -ERRNO.ENOENT);
  }
  if (size < t.optionsLen) {
    to.fill(0);
    return retS64(vm, -ERRNO.ENOMEM);
  }
  to.set(t.options.subarray(0, t.optionsLen));
  to.fill(0, t.optionsLen);
  retS64(vm, t.optionsLen);
}

function setTunnelOpt(vm: Vm): void {
  const t = envOf(vm).skb.tunnel;
  const size = argU32(vm, 3);
  // only metadata this CPU's set_tunnel_key attached (the per-CPU md_dst) takes options
  if (!t.present || !t.tx || (size & 3) !== 0) return retS64(vm, -ERRNO.EINVAL);
  if (size > IP_TUNNEL_OPTS_MAX) return retS64(vm, -ERRNO.ENOMEM);
  t.optionsLen = size;
  if (size > 0) {
    t.options.set(argBytes(vm, 2, size, false));
    t.flags |= TUNNEL_OPTIONS_PRESENT;
  }
  retS64(vm, 0);
}

defineHelper({ id: BPF_FUNC_skb_get_tunnel_key, fn: getTunnelKey });
defineHelper({ id: BPF_FUNC_skb_set_tunnel_key, fn: setTunnelKey });
defineHelper({ id: BPF_FUNC_skb_get_tunnel_opt, fn: getTunnelOpt });
defineHelper({ id: BPF_FUNC_skb_set_tunnel_opt, fn: setTunnelOpt });
