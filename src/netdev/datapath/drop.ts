// drop.ts: why a packet was dropped, as tcxsim reports it, with the kernel's skb drop reason
// (include/net/dropreason-core.h) each one corresponds to. NOT_SPECIFIED is what a plain
// kfree_skb() reports (the redirect failures in net/core/filter.c).

export const DROP_REASONS = {
  tc_ingress: 'TC_INGRESS', // tcx DROP / cls_bpf SHOT at ingress
  tc_egress: 'TC_EGRESS', // same at egress
  redirect_no_device: 'NOT_SPECIFIED', // skb_do_redirect: ifindex not in the skb's netns (also "r0 = 7" without a target)
  redirect_peer_invalid: 'NOT_SPECIFIED', // redirect_peer at egress / no peer / peer down / same netns
  redirect_no_mac: 'NOT_SPECIFIED', // __bpf_redirect_common: mac_header >= network_header or len 0 (-ERANGE)
  redirect_neigh_failed: 'NOT_SPECIFIED', // __bpf_redirect_neigh: multicast dst, not IP, no route, no neighbour
  xmit_recursion: 'NOT_SPECIFIED', // __bpf_tx_skb / bpf_out_neigh_*: dev_xmit_recursion() (-ENETDOWN)
  dev_down: 'DEV_READY', // forward into a device that is down
  qdisc_drop: 'QDISC_DROP', // noop_enqueue: transmit on a device that is down or has no carrier (NET_XMIT_CN, tx_dropped +1)
  recursion_limit: 'RECURSION_LIMIT', // __dev_queue_xmit recursion alert (tx_dropped +1, -ENETDOWN)
  pkt_too_big: 'PKT_TOO_BIG', // veth peer MTU (is_skb_forwardable), ip_forward MTU with DF
  otherhost: 'OTHERHOST', // ip_rcv_core: frame not addressed to this host
  unhandled_proto: 'UNHANDLED_PROTO', // no protocol handler and no packet socket
  ip_inhdr: 'IP_INHDR', // bad IPv4/IPv6 header
  ip_csum: 'IP_CSUM', // bad IPv4 header checksum
  ip_noroute: 'IP_NOROUTE', // no route, or a blackhole/unreachable/prohibit route, or forwarding disabled
  ip_ttl: 'IP_INHDR', // ip_forward: TTL/hop limit expired (kernel reason IP_INHDR + ICMP time exceeded)
  neigh_failed: 'NEIGH_FAILED', // no (static) neighbour for the next hop
  program_fault: 'NOT_SPECIFIED', // tcxsim: the program faulted (the kernel's verifier would have refused it)
  loop_limit: 'NOT_SPECIFIED', // tcxsim: the packet went round more receive rounds than the guard allows
  pkt_too_small: 'PKT_TOO_SMALL', // shorter than an Ethernet header (veth_xmit pskb_may_pull)
} as const;

export type DropReason = keyof typeof DROP_REASONS;
