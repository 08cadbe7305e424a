/* tail_loop.c: a program that tail-calls itself through slot 0 until the kernel's
 * limit (MAX_TAIL_CALL_CNT = 33) stops it; cb[0] counts entries, so it ends at 34
 * and the last run falls through to `return`. Slot 1 is empty (falls through). */
#include "common.h"

int self_loop(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} loop_arr SEC(".maps") = {
	.values = { [0] = (void *)&self_loop },
};

SEC("tc/loop")
int self_loop(struct __sk_buff *skb)
{
	skb->cb[0] += 1;
	skb->mark = skb->cb[0];
	bpf_tail_call(skb, &loop_arr, skb->cb[1]);
	return TC_ACT_UNSPEC - (int)skb->cb[0];
}

char _license[] SEC("license") = "GPL";
