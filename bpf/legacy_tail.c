/* legacy_tail.c: iproute2's legacy map convention. Maps are `struct bpf_elf_map`
 * (36 bytes: type, size_key, size_value, max_elem, flags, id, pinning, inner_id,
 * inner_idx) in section "maps"; tail programs live in sections "<id>/<index>" and
 * the loader installs them into the prog array whose id matches. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct bpf_elf_map {
	__u32 type;
	__u32 size_key;
	__u32 size_value;
	__u32 max_elem;
	__u32 flags;
	__u32 id;
	__u32 pinning;
	__u32 inner_id;
	__u32 inner_idx;
};

#define PIN_GLOBAL_NS 2
#define JMP_MAP_ID 2
#define SLOT_TCP 0
#define SLOT_UDP 1

struct bpf_elf_map SEC("maps") legacy_cnt = {
	.type = BPF_MAP_TYPE_ARRAY,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u64),
	.max_elem = 4,
	.id = 1,
	.pinning = PIN_GLOBAL_NS,
};

struct bpf_elf_map SEC("maps") legacy_jmp = {
	.type = BPF_MAP_TYPE_PROG_ARRAY,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u32),
	.max_elem = 4,
	.id = JMP_MAP_ID,
	.pinning = PIN_GLOBAL_NS,
};

static __always_inline void bump(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&legacy_cnt, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("2/0")
int legacy_tcp(struct __sk_buff *skb)
{
	bump(SLOT_TCP);
	skb->mark = 0x2000;
	return TC_ACT_OK;
}

SEC("2/1")
int legacy_udp(struct __sk_buff *skb)
{
	bump(SLOT_UDP);
	skb->mark = 0x2001;
	return TC_ACT_SHOT;
}

SEC("classifier")
int legacy_main(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (ip->protocol == IPPROTO_TCP)
		bpf_tail_call(skb, &legacy_jmp, SLOT_TCP);
	else if (ip->protocol == IPPROTO_UDP)
		bpf_tail_call(skb, &legacy_jmp, SLOT_UDP);
	else
		bpf_tail_call(skb, &legacy_jmp, 3); /* empty slot: falls through */
	bump(3);
	return TC_ACT_UNSPEC;
}

char __license[] SEC("license") = "GPL";
