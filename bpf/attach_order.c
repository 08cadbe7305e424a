/* attach_order.c: programs of two applications sharing eth0's tcx ingress hook
 * (scenarios/attach-order.yaml). Each program counts its runs in `runs[slot]` and
 * returns TCX_NEXT so the whole chain runs; `legacy` is a classic cls_bpf filter
 * that runs after the tcx chain (only because every tcx program said TCX_NEXT). */
#include "common.h"

#ifndef TCX_NEXT
#define TCX_NEXT -1
#endif

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} runs SEC(".maps");

static __always_inline int count(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&runs, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
	return TCX_NEXT;
}

SEC("tc") int app1_monitor(struct __sk_buff *skb) { return count(0); }
SEC("tc") int app1_filter(struct __sk_buff *skb) { return count(1); }
SEC("tc") int app2_policy(struct __sk_buff *skb) { return count(2); }
SEC("tc") int app2_policy_v2(struct __sk_buff *skb) { return count(3); }
SEC("tc") int app2_audit(struct __sk_buff *skb) { return count(4); }
SEC("tc") int app1_monitor_v2(struct __sk_buff *skb) { return count(5); }

SEC("tc")
int legacy(struct __sk_buff *skb)
{
	count(6);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
