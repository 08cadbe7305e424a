/* bench.c: benchmark programs. hash_loop is compute bound (1000 rounds of FNV-1a
 * over a xorshift64 stream seeded from the frame length and first bytes);
 * parse_count is the typical fast path (eth/ipv4/udp parse + hash map increment
 * keyed by UDP destination port). */
#include "common.h"

#define ROUNDS 1000
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

SEC("tc/bench/hash_loop")
int hash_loop(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u64 x = skb->len, h = FNV_OFFSET;
	int i;

	if (data + 8 <= data_end)
		x ^= *(__u64 *)data;
	for (i = 0; i < ROUNDS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		h = (h ^ (x & 0xff)) * FNV_PRIME;
		h = (h ^ ((x >> 8) & 0xff)) * FNV_PRIME;
	}
	skb->mark = (__u32)h;
	skb->cb[0] = (__u32)(h >> 32);
	return TC_ACT_OK;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, __u16);
	__type(value, __u64);
} port_count SEC(".maps");

SEC("tc/bench/parse_count")
int parse_count(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *uh;
	__u64 one = 1, *v;
	__u16 port;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return TC_ACT_OK;
	uh = (void *)(ip + 1);
	if ((void *)(uh + 1) > data_end)
		return TC_ACT_SHOT;
	port = bpf_ntohs(uh->dest);
	v = bpf_map_lookup_elem(&port_count, &port);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&port_count, &port, &one, BPF_ANY);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
