/* lpm_policy.c: source-prefix policy through an LPM trie. Longest match wins:
 * value 1 = allow (TC_ACT_OK), 2 = deny (TC_ACT_SHOT); no match = allow. Each
 * verdict is counted in the `verdicts` array (0 no match, 1 allow, 2 deny). */
#include "common.h"

struct lpm_v4_key {
	__u32 prefixlen;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_v4_key);
	__type(value, __u32);
} policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} verdicts SEC(".maps");

SEC("tc")
int lpm_filter(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct lpm_v4_key key = { .prefixlen = 32 };
	__u32 *action, slot = 0;
	__u64 *cnt;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	key.addr = ip->saddr;
	action = bpf_map_lookup_elem(&policy, &key);
	if (action && (*action == 1 || *action == 2))
		slot = *action;
	cnt = bpf_map_lookup_elem(&verdicts, &slot);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	if (slot == 2) {
		skb->mark = key.addr;
		return TC_ACT_SHOT;
	}
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
