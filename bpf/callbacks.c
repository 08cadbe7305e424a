/* callbacks.c: helpers that take a callback (the function address is loaded with
 * ld_imm64 src=BPF_PSEUDO_FUNC): bpf_loop and bpf_for_each_map_elem. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

struct loop_ctx {
	__u64 acc;
	__u32 len;
};

static long loop_step(__u64 i, void *data)
{
	struct loop_ctx *c = data;

	c->acc = c->acc * 31 + i + c->len;
	return i == 6 ? 1 : 0; /* stop after the 7th iteration */
}

static long sum_elem(void *map, __u32 *key, __u64 *val, void *data)
{
	struct loop_ctx *c = data;

	c->acc += *val * (*key + 1);
	*val += 1;
	return 0;
}

/* mark = bpf_loop result (iterations run), cb[0..1] = acc (lo, hi);
 * cb[2] = for_each result (elements visited), cb[3] = weighted sum; each visit
 * also increments the element, so `vals` changes on every run. */
SEC("tc")
int callbacks(struct __sk_buff *skb)
{
	struct loop_ctx c = { .acc = 1, .len = skb->len };

	skb->mark = bpf_loop(100, loop_step, &c, 0);
	skb->cb[0] = (__u32)c.acc;
	skb->cb[1] = (__u32)(c.acc >> 32);
	c.acc = 0;
	skb->cb[2] = bpf_for_each_map_elem(&vals, sum_elem, &c, 0);
	skb->cb[3] = (__u32)c.acc;
	skb->cb[4] = bpf_loop(1, loop_step, &c, 1); /* flags must be 0 */
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
