/* replay_chain.c: the three-program tcx ingress chain of the end-to-end replay benchmark
 * (bench/replay.bench.ts): parse → count → rewrite. `chain_parse` validates Ethernet/IPv4/L4
 * and leaves the L4 offset and protocol in cb[]; `chain_count` counts packets and bytes per
 * flow in a hash map; `chain_rewrite` decrements the TTL with an incremental checksum update
 * (bpf_l3_csum_replace) and redirects the packet out of the device in `out_ifindex`. */
#include "common.h"

/* enum tcx_action_base (linux/bpf.h since 6.6); Debian's UAPI headers predate it. */
#ifndef TCX_NEXT
#define TCX_NEXT -1
#define TCX_PASS 0
#define TCX_DROP 2
#define TCX_REDIRECT 7
#endif

struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct flow_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
} chain_flows SEC(".maps");

volatile const __u32 out_ifindex = 0;

SEC("tcx/ingress")
int chain_parse(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK; /* not ours: stop the chain, let the stack have it */
	if (ip->ihl != 5 || (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP))
		return TC_ACT_OK;
	skb->cb[0] = ip->protocol;
	skb->cb[1] = sizeof(*eth) + sizeof(*ip);
	return TCX_NEXT;
}

SEC("tcx/ingress")
int chain_count(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	struct udphdr *l4 = (void *)(ip + 1);
	struct flow_key key = {};
	struct flow_stats *st, init = {};

	if ((void *)(l4 + 1) > data_end)
		return TCX_DROP;
	key.saddr = ip->saddr;
	key.daddr = ip->daddr;
	key.sport = l4->source;
	key.dport = l4->dest;
	key.proto = skb->cb[0];
	st = bpf_map_lookup_elem(&chain_flows, &key);
	if (!st) {
		bpf_map_update_elem(&chain_flows, &key, &init, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&chain_flows, &key);
		if (!st)
			return TCX_DROP;
	}
	__sync_fetch_and_add(&st->packets, 1);
	__sync_fetch_and_add(&st->bytes, skb->len);
	return TCX_NEXT;
}

SEC("tcx/ingress")
int chain_rewrite(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	__u16 old, new;

	if ((void *)(ip + 1) > data_end)
		return TCX_DROP;
	if (ip->ttl <= 1)
		return TCX_DROP;
	old = *(__u16 *)&ip->ttl;
	ip->ttl--;
	new = *(__u16 *)&ip->ttl;
	bpf_l3_csum_replace(skb, IP4_OFF_CSUM, old, new, sizeof(__u16));
	return bpf_redirect(out_ifindex, 0);
}

char _license[] SEC("license") = "GPL";
