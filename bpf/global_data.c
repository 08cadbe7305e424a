/* global_data.c: global variables in .data, .rodata and .bss (single-entry array
 * maps in the kernel) and bpf-to-bpf calls into static __noinline subprograms,
 * one of which takes the ctx and does its own direct packet access. */
#include "common.h"

const volatile __u32 cfg_mult = 31;          /* .rodata */
const volatile __u8 cfg_proto_mark[4] = { 0xa0, 0xb0, 0xc0, 0xd0 }; /* .rodata */
__u64 seq = 1000;                             /* .data */
__u32 last_len = 0xffffffff;                  /* .data */
__u64 pkt_count;                              /* .bss */
__u32 proto_seen[4];                          /* .bss */

static __noinline __u32 mix(__u32 a, __u32 b)
{
	__u32 h = a * cfg_mult;

	h ^= b + 0x9e3779b9 + (h << 6) + (h >> 2);
	return h;
}

/* 0 = not IPv4, 1 = TCP, 2 = UDP, 3 = other IPv4 */
static __noinline int classify(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	if (ip->protocol == IPPROTO_TCP)
		return 1;
	if (ip->protocol == IPPROTO_UDP)
		return 2;
	return 3;
}

SEC("tc")
int use_globals(struct __sk_buff *skb)
{
	int cls = classify(skb);

	pkt_count++;
	seq += 2;
	last_len = skb->len;
	if (cls >= 0 && cls < 4) {
		proto_seen[cls]++;
		skb->mark = mix(skb->len, (__u32)seq) ^ cfg_proto_mark[cls];
	}
	skb->priority = (__u32)pkt_count;
	return cls == 0 ? TC_ACT_UNSPEC : TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
