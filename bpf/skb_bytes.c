/* skb_bytes.c: bpf_skb_load_bytes, bpf_skb_load_bytes_relative and
 * bpf_skb_store_bytes, including their error returns. Helper results that do not
 * fit the packet are stored as u32 in cb[] (so they appear in ctx_out). */
#include "common.h"

/* mark = IPv4 saddr (host order) read with load_bytes; cb[0] = result of a read
 * that runs past the end; cb[1] = result of a negative-offset read. */
SEC("tc")
int load_bytes(struct __sk_buff *skb)
{
	__u32 v = 0;
	__u8 buf[8];

	if (bpf_skb_load_bytes(skb, IP4_OFF_SADDR, &v, sizeof(v)) == 0)
		skb->mark = bpf_ntohl(v);
	skb->cb[0] = bpf_skb_load_bytes(skb, skb->len - 4, buf, sizeof(buf));
	skb->cb[1] = bpf_skb_load_bytes(skb, -1, buf, 1);
	skb->cb[2] = bpf_skb_load_bytes(skb, skb->len - 8, buf, sizeof(buf));
	skb->cb[3] = buf[7];
	return TC_ACT_OK;
}

/* Relative to the MAC and network headers: mark = first 4 bytes at the network
 * header + 12 (IPv4 saddr); cb[0] = BPF_HDR_START_MAC read result; cb[1] = its
 * first two bytes; cb[2] = a read past the end; cb[3] = an invalid start_header. */
SEC("tc")
int load_relative(struct __sk_buff *skb)
{
	__u32 v = 0;
	__u8 mac[6] = {};

	if (bpf_skb_load_bytes_relative(skb, 12, &v, sizeof(v), BPF_HDR_START_NET) == 0)
		skb->mark = bpf_ntohl(v);
	skb->cb[0] = bpf_skb_load_bytes_relative(skb, 0, mac, sizeof(mac), BPF_HDR_START_MAC);
	skb->cb[1] = (mac[4] << 8) | mac[5];
	skb->cb[2] = bpf_skb_load_bytes_relative(skb, skb->len, &v, sizeof(v), BPF_HDR_START_NET);
	skb->cb[3] = bpf_skb_load_bytes_relative(skb, 0, &v, sizeof(v), 7);
	return TC_ACT_OK;
}

/* Rewrites the destination MAC (flags 0), then the IPv4 TTL byte with
 * BPF_F_RECOMPUTE_CSUM (ip_summed is CHECKSUM_NONE under test-run, so only the
 * bytes change; the IP checksum is left stale on purpose). cb[] holds results:
 * [0] MAC store, [1] TTL store, [2] store past the end, [3] unknown flag bit. */
SEC("tc")
int store_bytes(struct __sk_buff *skb)
{
	__u8 mac[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
	__u8 ttl = 7;

	skb->cb[0] = bpf_skb_store_bytes(skb, 0, mac, sizeof(mac), 0);
	skb->cb[1] = bpf_skb_store_bytes(skb, IP4_OFF + 8, &ttl, 1, BPF_F_RECOMPUTE_CSUM);
	skb->cb[2] = bpf_skb_store_bytes(skb, skb->len - 2, mac, 4, 0);
	skb->cb[3] = bpf_skb_store_bytes(skb, 0, mac, 1, 1ULL << 5);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
