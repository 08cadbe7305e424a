/* cilium_pod.c: a Cilium-style datapath for one pod behind a node (scenarios/cilium-pod.yaml).
 *
 *   client --wire--> eth0 [from_netdev: tail call -> ipv4_from_netdev]
 *        service DNAT (VIP:port -> pod:port, l3/l4_csum_replace), conntrack entry,
 *        policy (LPM trie on the source), MAC rewrite, bpf_redirect_peer -> pod/eth0
 *   pod --veth--> lxc0 [from_container]
 *        reverse NAT from conntrack (pod:port -> VIP:port), bpf_redirect_neigh -> eth0 -> wire
 *
 * The endpoint (pod IP -> lxc ifindex and MACs) and node config come from maps the scenario
 * fills; the tail-call slot is filled by the scenario too (prog_array). */
#include "common.h"

#define CALL_IPV4_FROM_NETDEV 0
/* The node's physical device; Cilium compiles such constants into each endpoint's program. */
#define NODE_IFINDEX 2

#define METRIC_FORWARDED 0
#define METRIC_POLICY_DENIED 1
#define METRIC_REVNAT 2
#define METRIC_NO_SERVICE 3
#define METRIC_MISSED_TAIL_CALL 4
#define METRIC_MAX 8

struct lb4_key {
	__u32 vip;
	__u16 dport;
	__u8 proto;
	__u8 pad;
};

struct lb4_backend {
	__u32 addr;
	__u16 port;
	__u16 pad;
};

/* Reply direction tuple: backend -> client. */
struct ct4_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct ct4_entry {
	__u32 vip;
	__u16 vport;
	__u16 pad;
	__u64 packets;
};

struct endpoint {
	__u32 ifindex; /* host-side veth (lxc) */
	__u8 pod_mac[6];
	__u8 lxc_mac[6];
};

struct policy_key {
	__u32 prefixlen;
	__u32 saddr;
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct lb4_key);
	__type(value, struct lb4_backend);
} services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct ct4_key);
	__type(value, struct ct4_entry);
} conntrack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct endpoint);
} endpoints SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__type(key, struct policy_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, METRIC_MAX);
	__type(key, __u32);
	__type(value, __u64);
} metrics SEC(".maps");

static __always_inline void metric(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&metrics, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/* Rewrites the address at addr_off and the port at port_off, fixing both checksums. */
static __always_inline int nat4(struct __sk_buff *skb, __u32 addr_off, __u32 old_addr, __u32 new_addr,
				__u32 port_off, __u16 old_port, __u16 new_port, __u32 l4_csum_off)
{
	if (bpf_l4_csum_replace(skb, l4_csum_off, old_addr, new_addr, BPF_F_PSEUDO_HDR | sizeof(new_addr)) < 0)
		return -1;
	if (bpf_l3_csum_replace(skb, IP4_OFF_CSUM, old_addr, new_addr, sizeof(new_addr)) < 0)
		return -1;
	if (bpf_skb_store_bytes(skb, addr_off, &new_addr, sizeof(new_addr), 0) < 0)
		return -1;
	if (bpf_l4_csum_replace(skb, l4_csum_off, old_port, new_port, sizeof(new_port)) < 0)
		return -1;
	return bpf_skb_store_bytes(skb, port_off, &new_port, sizeof(new_port), 0);
}

SEC("tc")
int from_netdev(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK; /* ARP, IPv6: to the stack */
	bpf_tail_call(skb, &calls, CALL_IPV4_FROM_NETDEV);
	metric(METRIC_MISSED_TAIL_CALL);
	return TC_ACT_SHOT;
}

SEC("tc")
int ipv4_from_netdev(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *th = (void *)(ip + 1);
	struct lb4_key lk = {};
	struct lb4_backend *be;
	struct policy_key pk = {};
	struct endpoint *ep;
	struct ct4_key ck = {};
	struct ct4_entry ce = {}, *cur;
	__u32 daddr, *allow;

	if ((void *)(th + 1) > data_end || ip->ihl != 5 || ip->protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	daddr = ip->daddr;
	lk.vip = daddr;
	lk.dport = th->dest;
	lk.proto = IPPROTO_TCP;
	be = bpf_map_lookup_elem(&services, &lk);
	if (!be) {
		if (!bpf_map_lookup_elem(&endpoints, &daddr)) {
			metric(METRIC_NO_SERVICE);
			return TC_ACT_OK; /* not ours: the node's stack */
		}
	}

	/* Policy: the longest matching prefix of the source decides; no match denies. */
	pk.prefixlen = 32;
	pk.saddr = ip->saddr;
	allow = bpf_map_lookup_elem(&policy, &pk);
	if (!allow || !*allow) {
		metric(METRIC_POLICY_DENIED);
		return TC_ACT_SHOT;
	}

	if (be) {
		ck.saddr = be->addr;
		ck.daddr = ip->saddr;
		ck.sport = be->port;
		ck.dport = th->source;
		ck.proto = IPPROTO_TCP;
		cur = bpf_map_lookup_elem(&conntrack, &ck);
		if (cur) {
			__sync_fetch_and_add(&cur->packets, 1);
		} else {
			ce.vip = daddr;
			ce.vport = th->dest;
			ce.packets = 1;
			bpf_map_update_elem(&conntrack, &ck, &ce, BPF_ANY);
		}
		daddr = be->addr;
		if (nat4(skb, IP4_OFF_DADDR, lk.vip, be->addr, L4_OFF + 2, lk.dport, be->port, TCP_OFF_CSUM) < 0)
			return TC_ACT_SHOT;
	}

	ep = bpf_map_lookup_elem(&endpoints, &daddr);
	if (!ep)
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, 0, ep->pod_mac, 6, 0) < 0 || bpf_skb_store_bytes(skb, 6, ep->lxc_mac, 6, 0) < 0)
		return TC_ACT_SHOT;
	metric(METRIC_FORWARDED);
	return bpf_redirect_peer(ep->ifindex, 0);
}

SEC("tc")
int from_container(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *th = (void *)(ip + 1);
	struct ct4_key ck = {};
	struct ct4_entry *ce;

	if ((void *)(th + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	ck.saddr = ip->saddr;
	ck.daddr = ip->daddr;
	ck.sport = th->source;
	ck.dport = th->dest;
	ck.proto = IPPROTO_TCP;
	ce = bpf_map_lookup_elem(&conntrack, &ck);
	if (!ce)
		return TC_ACT_OK;
	__sync_fetch_and_add(&ce->packets, 1);
	if (nat4(skb, IP4_OFF_SADDR, ck.saddr, ce->vip, L4_OFF, ck.sport, ce->vport, TCP_OFF_CSUM) < 0)
		return TC_ACT_SHOT;
	metric(METRIC_REVNAT);
	/* FIB lookup and neighbour on the node's device fill in the MACs. */
	return bpf_redirect_neigh(NODE_IFINDEX, 0, 0, 0);
}

char _license[] SEC("license") = "GPL";
