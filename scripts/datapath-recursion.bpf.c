// datapath-recursion.bpf.c: tc egress program that counts test frames (ethertype 0x88B5) and
// redirects each one to the egress of the device it runs on, to measure the xmit recursion limit.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} runs SEC(".maps");

SEC("tc")
int loop(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *v;

	if (skb->protocol != bpf_htons(0x88B5))
		return TC_ACT_OK;
	v = bpf_map_lookup_elem(&runs, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	return bpf_redirect(skb->ifindex, 0);
}

char _license[] SEC("license") = "GPL";
