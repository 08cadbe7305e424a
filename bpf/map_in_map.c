/* map_in_map.c: array_of_maps and hash_of_maps, both statically initialised
 * with inner array maps through __array(values, ...). The program picks an inner
 * map by the low bit of the IPv4 source address, counts packets in slot 0 and
 * bytes in slot 1, and reports the inner map's slot-2 tag in skb->mark. */
#include "common.h"

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner inner_a SEC(".maps");
struct inner inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} outer_arr SEC(".maps") = {
	.values = { &inner_a, &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer_hash SEC(".maps") = {
	.values = { [1] = &inner_b },
};

SEC("tc")
int mim_lookup(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u32 idx, k;
	__u64 *v;
	void *inner;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	idx = bpf_ntohl(ip->saddr) & 1;
	inner = bpf_map_lookup_elem(&outer_arr, &idx);
	if (!inner)
		return TC_ACT_SHOT;
	k = 0;
	v = bpf_map_lookup_elem(inner, &k);
	if (v)
		*v += 1;
	k = 1;
	v = bpf_map_lookup_elem(inner, &k);
	if (v)
		*v += skb->len;
	k = 2;
	v = bpf_map_lookup_elem(inner, &k);
	if (v)
		skb->mark = (__u32)*v;

	/* hash_of_maps: only key 1 is populated; key 0 misses. */
	inner = bpf_map_lookup_elem(&outer_hash, &idx);
	if (!inner)
		return TC_ACT_UNSPEC;
	k = 3;
	v = bpf_map_lookup_elem(inner, &k);
	if (v)
		*v += 1;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
