/* skb_fields.c: __sk_buff reads and writes for SCHED_CLS. `fields` records what the
 * program read (slot numbers below); writes show up in ctx_out (mark, priority,
 * cb) or are read back into `fields` (tc_index, queue_mapping, tc_classid). */
#include "common.h"

enum {
	F_LEN, F_PKT_TYPE, F_MARK, F_QUEUE_MAPPING, F_PROTOCOL, F_VLAN_PRESENT,
	F_VLAN_TCI, F_VLAN_PROTO, F_PRIORITY, F_INGRESS_IFINDEX, F_IFINDEX,
	F_TC_INDEX, F_CB0, F_HASH, F_TC_CLASSID, F_PKT_LEN, F_NAPI_ID, F_TSTAMP,
	F_WIRE_LEN, F_GSO_SEGS, F_GSO_SIZE, F_TSTAMP_TYPE, F_HWTSTAMP, F_META_LEN,
	F_PROTO_LO_BYTE, F_MARK_HI_HALF, F_CB_U64, F_SK_PRESENT,
	/* read back after writes */
	F_W_TC_INDEX, F_W_QUEUE_MAPPING, F_W_QUEUE_MAPPING_SKIP, F_W_TC_CLASSID, F_W_TSTAMP,
	F_MAX
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, F_MAX);
	__type(key, __u32);
	__type(value, __u64);
} fields SEC(".maps");

static __always_inline void put(__u32 slot, __u64 v)
{
	bpf_map_update_elem(&fields, &slot, &v, BPF_ANY);
}

SEC("tc")
int read_fields(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	void *meta = (void *)(long)skb->data_meta;

	put(F_LEN, skb->len);
	put(F_PKT_TYPE, skb->pkt_type);
	put(F_MARK, skb->mark);
	put(F_QUEUE_MAPPING, skb->queue_mapping);
	put(F_PROTOCOL, skb->protocol);
	put(F_VLAN_PRESENT, skb->vlan_present);
	put(F_VLAN_TCI, skb->vlan_tci);
	put(F_VLAN_PROTO, skb->vlan_proto);
	put(F_PRIORITY, skb->priority);
	put(F_INGRESS_IFINDEX, skb->ingress_ifindex);
	put(F_IFINDEX, skb->ifindex);
	put(F_TC_INDEX, skb->tc_index);
	put(F_CB0, skb->cb[0]);
	put(F_HASH, skb->hash);
	put(F_TC_CLASSID, skb->tc_classid);
	put(F_PKT_LEN, data_end - data);
	put(F_NAPI_ID, skb->napi_id);
	put(F_TSTAMP, skb->tstamp);
	put(F_WIRE_LEN, skb->wire_len);
	put(F_GSO_SEGS, skb->gso_segs);
	put(F_GSO_SIZE, skb->gso_size);
	put(F_TSTAMP_TYPE, skb->tstamp_type);
	put(F_HWTSTAMP, skb->hwtstamp);
	put(F_META_LEN, data - meta);
	put(F_PROTO_LO_BYTE, *(volatile __u8 *)((void *)skb + offsetof(struct __sk_buff, protocol)));
	put(F_MARK_HI_HALF, *(volatile __u16 *)((void *)skb + offsetof(struct __sk_buff, mark) + 2));
	put(F_CB_U64, *(volatile __u64 *)((void *)skb + offsetof(struct __sk_buff, cb[2])));
	put(F_SK_PRESENT, skb->sk != 0);
	return TC_ACT_OK;
}

/* Stores and read-backs go through volatile pointers so clang keeps every ctx
 * access (it would otherwise forward the stored constant to the read). */
#define CTX_U32(skb, f) (*(volatile __u32 *)&(skb)->f)

SEC("tc")
int write_fields(struct __sk_buff *skb)
{
	CTX_U32(skb, mark) = 0xdeadbeef;
	CTX_U32(skb, priority) = 0x10001;
	CTX_U32(skb, tc_index) = 0x12345;        /* u16 field: truncates */
	put(F_W_TC_INDEX, CTX_U32(skb, tc_index));
	CTX_U32(skb, queue_mapping) = 3;
	put(F_W_QUEUE_MAPPING, CTX_U32(skb, queue_mapping));
	CTX_U32(skb, queue_mapping) = 0x10003;   /* >= NO_QUEUE_MAPPING (0xffff): store skipped */
	put(F_W_QUEUE_MAPPING_SKIP, CTX_U32(skb, queue_mapping));
	CTX_U32(skb, tc_classid) = 0x10002;      /* u16 field: truncates */
	put(F_W_TC_CLASSID, CTX_U32(skb, tc_classid));
	*(volatile __u64 *)&skb->tstamp = 1000000007ULL;
	put(F_W_TSTAMP, *(volatile __u64 *)&skb->tstamp);
	CTX_U32(skb, cb[0]) = CTX_U32(skb, cb[0]) + 1;
	*(volatile __u8 *)((void *)skb + offsetof(struct __sk_buff, cb[1]) + 1) = 0x7f;
	*(volatile __u16 *)((void *)skb + offsetof(struct __sk_buff, cb[1]) + 2) = 0xbeef;
	*(volatile __u64 *)((void *)skb + offsetof(struct __sk_buff, cb[2])) = 0x1122334455667788ULL;
	return TC_ACT_OK;
}

/* The dummy socket BPF_PROG_TEST_RUN attaches (family and addresses copied from
 * the L3 header): mark = family, cb[0..1] = src/dst IPv4, cb[2..3] = src/dst port. */
SEC("tc")
int read_sock(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return TC_ACT_UNSPEC;
	skb->mark = sk->family;
	skb->cb[0] = sk->src_ip4;
	skb->cb[1] = sk->dst_ip4;
	skb->cb[2] = sk->src_port;
	skb->cb[3] = sk->dst_port;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
