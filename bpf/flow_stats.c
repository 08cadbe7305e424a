/* flow_stats.c: per-flow packet and byte counters over a real-sized capture
 * (scenarios/flow-counter.yaml): IPv4 TCP/UDP 5-tuple -> {packets, bytes} in a
 * 4096-entry hash, plus totals {packets, bytes, not counted} in an array.
 * Always TC_ACT_OK: it watches, the node's stack decides. */
#include "common.h"

struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct flow_val {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct flow_key);
	__type(value, struct flow_val);
} flows SEC(".maps");

#define TOTAL_PACKETS 0
#define TOTAL_BYTES 1
#define TOTAL_SKIPPED 2

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} totals SEC(".maps");

static __always_inline void add(__u32 slot, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&totals, &slot);

	if (v)
		__sync_fetch_and_add(v, n);
}

SEC("tc")
int flow_stats(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *ports = (void *)(ip + 1); /* sport/dport sit first in TCP and UDP */
	struct flow_key key = {};
	struct flow_val *v, init = {};

	if ((void *)(ports + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 ||
	    (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)) {
		add(TOTAL_SKIPPED, 1);
		return TC_ACT_OK;
	}
	key.saddr = ip->saddr;
	key.daddr = ip->daddr;
	key.sport = ports->source;
	key.dport = ports->dest;
	key.proto = ip->protocol;
	v = bpf_map_lookup_elem(&flows, &key);
	if (!v) {
		bpf_map_update_elem(&flows, &key, &init, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&flows, &key);
		if (!v)
			return TC_ACT_OK;
	}
	__sync_fetch_and_add(&v->packets, 1);
	__sync_fetch_and_add(&v->bytes, skb->len);
	add(TOTAL_PACKETS, 1);
	add(TOTAL_BYTES, skb->len);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
