/* map_ops.c: map helpers and their errno: hash update flags (BPF_NOEXIST/BPF_EXIST,
 * E2BIG when full), delete (ENOENT), queue and stack push/pop/peek (BPF_EXIST
 * overwrites the oldest when full), and per-CPU array/hash counters. Every helper
 * result is recorded in `results` (queue/stack contents are not dumpable). */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} small_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 3);
	__uint(value_size, sizeof(__u32));
} fifo SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 3);
	__uint(value_size, sizeof(__u32));
} lifo SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} pcpu_cnt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} pcpu_bytes SEC(".maps");

static __always_inline void res(__u32 slot, __s64 v)
{
	bpf_map_update_elem(&results, &slot, &v, BPF_ANY);
}

/* Key = IPv4 protocol byte (0 when not IPv4). Runs keep filling the 2-entry map. */
SEC("tc")
int hash_flags(struct __sk_buff *skb)
{
	__u32 key = 0, val = skb->len, *p;
	__u8 proto = 0;

	bpf_skb_load_bytes(skb, IP4_OFF + 9, &proto, 1);
	key = proto;
	res(0, bpf_map_update_elem(&small_hash, &key, &val, BPF_NOEXIST));
	res(1, bpf_map_update_elem(&small_hash, &key, &val, BPF_NOEXIST));
	val += 1000;
	res(2, bpf_map_update_elem(&small_hash, &key, &val, BPF_EXIST));
	key += 100;
	res(3, bpf_map_update_elem(&small_hash, &key, &val, BPF_EXIST));
	res(4, bpf_map_update_elem(&small_hash, &key, &val, BPF_ANY));
	res(5, bpf_map_delete_elem(&small_hash, &key));
	res(6, bpf_map_delete_elem(&small_hash, &key));
	res(7, bpf_map_update_elem(&small_hash, &key, &val, 4)); /* bad flags */
	p = bpf_map_lookup_elem(&small_hash, &key);
	res(8, p ? *p : -1);
	return TC_ACT_OK;
}

/* Pushes len into both, then pops/peeks once. Capacity 3, so state across runs
 * matters: results[0..1] push results, [2..3] pop results (value or -errno),
 * [4..5] peeks, [6] a BPF_EXIST push into the queue. */
SEC("tc")
int queue_stack(struct __sk_buff *skb)
{
	__u32 v = skb->len, out = 0;
	long r;

	res(0, bpf_map_push_elem(&fifo, &v, 0));
	res(1, bpf_map_push_elem(&lifo, &v, 0));
	r = bpf_map_pop_elem(&fifo, &out);
	res(2, r ? r : out);
	r = bpf_map_pop_elem(&lifo, &out);
	res(3, r ? r : out);
	r = bpf_map_peek_elem(&fifo, &out);
	res(4, r ? r : out);
	r = bpf_map_peek_elem(&lifo, &out);
	res(5, r ? r : out);
	v += 10000;
	res(6, bpf_map_push_elem(&fifo, &v, skb->cb[0] ? BPF_EXIST : 0));
	return TC_ACT_OK;
}

/* Per-CPU counters (the recorder runs on CPU 0): pcpu_cnt[0] += 1, pcpu_cnt[1] +=
 * len, pcpu_bytes[protocol] += len; mark = this CPU, cb[0] = lookup of CPU 1's
 * slot 0 via bpf_map_lookup_percpu_elem. */
SEC("tc")
int percpu(struct __sk_buff *skb)
{
	__u32 k = 0, cpu = 1;
	__u64 *v, init;
	__u8 proto = 0;

	v = bpf_map_lookup_elem(&pcpu_cnt, &k);
	if (v)
		*v += 1;
	k = 1;
	v = bpf_map_lookup_elem(&pcpu_cnt, &k);
	if (v)
		*v += skb->len;
	bpf_skb_load_bytes(skb, IP4_OFF + 9, &proto, 1);
	k = proto;
	v = bpf_map_lookup_elem(&pcpu_bytes, &k);
	if (v) {
		*v += skb->len;
	} else {
		init = skb->len;
		bpf_map_update_elem(&pcpu_bytes, &k, &init, BPF_NOEXIST);
	}
	skb->mark = bpf_get_smp_processor_id();
	k = 0;
	v = bpf_map_lookup_percpu_elem(&pcpu_cnt, &k, cpu);
	skb->cb[0] = v ? (__u32)*v : 0xffffffff;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
