/* tail_dispatch.c: tail-call dispatcher through a BTF prog array with static
 * __array(values, ...) init. The entry program stamps cb[0], then tail-calls
 * jmp_table[ip->protocol]; each tail program counts itself in `hits`, checks cb[0]
 * survived and sets skb->mark. An empty slot falls through to the entry's return. */
#include "common.h"

#define CB_MAGIC 0xc0ffee
#define RET_FALLTHROUGH 100
#define RET_NOT_IP 101

int tail_tcp(struct __sk_buff *skb);
int tail_udp(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 32);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jmp_table SEC(".maps") = {
	.values = {
		[IPPROTO_TCP] = (void *)&tail_tcp,
		[IPPROTO_UDP] = (void *)&tail_udp,
	},
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static __always_inline void count(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&hits, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("tc/entry")
int dispatch(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return RET_NOT_IP;
	skb->cb[0] = CB_MAGIC;
	skb->cb[1] = ip->protocol;
	bpf_tail_call(skb, &jmp_table, ip->protocol);
	count(0);
	return RET_FALLTHROUGH;
}

SEC("tc/tail_tcp")
int tail_tcp(struct __sk_buff *skb)
{
	count(IPPROTO_TCP);
	skb->mark = skb->cb[0] == CB_MAGIC ? 0x1006 : 0xbad;
	return TC_ACT_OK;
}

SEC("tc/tail_udp")
int tail_udp(struct __sk_buff *skb)
{
	count(IPPROTO_UDP);
	skb->mark = skb->cb[0] == CB_MAGIC ? 0x1011 : 0xbad;
	skb->cb[2] = skb->cb[1] + 1;
	return TC_ACT_SHOT;
}

/* Not in the static init: installed into slot IPPROTO_ICMP by the fixture setup. */
SEC("classifier")
int tail_icmp(struct __sk_buff *skb)
{
	count(IPPROTO_ICMP);
	skb->mark = 0x1001;
	skb->priority = 7;
	return TC_ACT_PIPE;
}

char _license[] SEC("license") = "GPL";
