/* flow_counter.c: counts packets and bytes per IPv4 5-tuple in a BTF hash map.
 * Parses eth/ipv4/tcp|udp with direct packet access (bounds-checked against
 * data_end); everything else passes uncounted. Always returns TC_ACT_OK. */
#include "common.h"

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
	__uint(max_entries, 64);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
} flows SEC(".maps");

SEC("tc")
int count_flows(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct flow_key key = {};
	struct flow_stats *st, init = {};

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl != 5)
		return TC_ACT_OK;
	key.saddr = ip->saddr;
	key.daddr = ip->daddr;
	key.proto = ip->protocol;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *th = (void *)(ip + 1);
		if ((void *)(th + 1) > data_end)
			return TC_ACT_OK;
		key.sport = th->source;
		key.dport = th->dest;
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *uh = (void *)(ip + 1);
		if ((void *)(uh + 1) > data_end)
			return TC_ACT_OK;
		key.sport = uh->source;
		key.dport = uh->dest;
	} else {
		return TC_ACT_OK;
	}

	st = bpf_map_lookup_elem(&flows, &key);
	if (!st) {
		bpf_map_update_elem(&flows, &key, &init, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&flows, &key);
		if (!st)
			return TC_ACT_OK;
	}
	__sync_fetch_and_add(&st->packets, 1);
	__sync_fetch_and_add(&st->bytes, skb->len);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
