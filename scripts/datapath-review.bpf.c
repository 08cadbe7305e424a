// datapath-review.bpf.c: tc programs for scripts/datapath-review-experiments.sh. Each one looks
// only at test frames (ethertype 0x88B5) and talks to the script through one array map `res`
// (slot numbers below: C_* are set by the script, R_* are written by the programs).
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum {
	R_CLONE_RET = 0, /* bpf_clone_redirect's return value */
	C_CLONE_IFINDEX = 1,
	C_CLONE_FLAGS = 2,
	R_COUNT = 3, /* runs of `count` */
	R_REC_RUNS = 4, /* runs of `rec9` */
	C_LEAK_TARGET = 5, /* ifindex `leak_set` passes to bpf_redirect */
	R_BARE7_RUNS = 6,
	R_TARGET_RUNS = 7, /* runs of `target` (egress of the leak target) */
	R_SEEN_FIRST = 8, /* first byte of the frame `seen` got */
	R_SEEN_LEN = 9, /* its length */
	C_LEAK_CLONE = 10, /* ifindex `leak_set` clones to (with BPF_F_INGRESS); 0 = no clone */
	R_TWO_RUNS = 11,
	NSLOTS = 16,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NSLOTS);
	__type(key, __u32);
	__type(value, __s64);
} res SEC(".maps");

static __always_inline __s64 get(__u32 k)
{
	__s64 *v = bpf_map_lookup_elem(&res, &k);
	return v ? *v : 0;
}

static __always_inline void put(__u32 k, __s64 x)
{
	bpf_map_update_elem(&res, &k, &x, 0);
}

static __always_inline __s64 bump(__u32 k)
{
	__s64 *v = bpf_map_lookup_elem(&res, &k);
	if (!v)
		return 0;
	return __sync_fetch_and_add(v, 1) + 1;
}

#define TEST_FRAME(skb) ((skb)->protocol == bpf_htons(0x88B5))

/* clone to C_CLONE_IFINDEX, record the return value, then overwrite byte 0 of the original */
SEC("tc")
int clone(struct __sk_buff *skb)
{
	__u8 v = 0xaa;

	if (!TEST_FRAME(skb))
		return TC_ACT_OK;
	put(R_CLONE_RET, bpf_clone_redirect(skb, get(C_CLONE_IFINDEX), get(C_CLONE_FLAGS)));
	bpf_skb_store_bytes(skb, 0, &v, 1, 0);
	return TC_ACT_OK;
}

/* what a frame looks like where it arrives: first byte and length */
SEC("tc")
int seen(struct __sk_buff *skb)
{
	__u8 b = 0;

	if (!TEST_FRAME(skb))
		return TC_ACT_OK;
	bpf_skb_load_bytes(skb, 0, &b, 1);
	put(R_SEEN_FIRST, b);
	put(R_SEEN_LEN, skb->len);
	return TC_ACT_OK;
}

SEC("tc")
int count(struct __sk_buff *skb)
{
	if (TEST_FRAME(skb))
		bump(R_COUNT);
	return TC_ACT_OK;
}

/* egress: redirect to our own egress 9 times, then pass (reaches the hard xmit 9 levels deep) */
SEC("tc")
int rec9(struct __sk_buff *skb)
{
	if (!TEST_FRAME(skb))
		return TC_ACT_OK;
	if (bump(R_REC_RUNS) < 10)
		return bpf_redirect(skb->ifindex, 0);
	return TC_ACT_OK;
}

/* ingress: optionally clone into C_LEAK_CLONE's receive path, record a redirect to
 * C_LEAK_TARGET, but return TC_ACT_OK so nothing consumes the redirect info */
SEC("tc")
int leak_set(struct __sk_buff *skb)
{
	__s64 c;

	if (!TEST_FRAME(skb))
		return TC_ACT_OK;
	c = get(C_LEAK_CLONE);
	if (c)
		bpf_clone_redirect(skb, c, BPF_F_INGRESS);
	bpf_redirect(get(C_LEAK_TARGET), 0);
	return TC_ACT_OK;
}

/* returns TC_ACT_REDIRECT without calling any redirect helper */
SEC("tc")
int bare7(struct __sk_buff *skb)
{
	if (!TEST_FRAME(skb))
		return TC_ACT_OK;
	bump(R_BARE7_RUNS);
	return TC_ACT_REDIRECT;
}

/* first run: record a redirect and pass; later runs: a bare TC_ACT_REDIRECT */
SEC("tc")
int two(struct __sk_buff *skb)
{
	if (!TEST_FRAME(skb))
		return TC_ACT_OK;
	if (bump(R_TWO_RUNS) == 1) {
		bpf_redirect(get(C_LEAK_TARGET), 0);
		return TC_ACT_OK;
	}
	return TC_ACT_REDIRECT;
}

SEC("tc")
int target(struct __sk_buff *skb)
{
	if (TEST_FRAME(skb))
		bump(R_TARGET_RUNS);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
