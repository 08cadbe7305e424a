/* skb_resize.c: bpf_skb_change_tail, bpf_skb_change_head and bpf_skb_adjust_room.
 * Each program resizes, stores the helper result in cb[0] (cb[1] for a second
 * call), and writes a recognisable pattern into the bytes it created where the
 * helper leaves them uninitialised. */
#include "common.h"

SEC("tc")
int tail_grow(struct __sk_buff *skb)
{
	__u32 len = skb->len;

	skb->cb[0] = bpf_skb_change_tail(skb, len + 16, 0);
	skb->cb[1] = bpf_skb_change_tail(skb, len + 16, 1); /* flags must be 0 */
	skb->cb[2] = skb->len;
	return TC_ACT_OK;
}

SEC("tc")
int tail_trim(struct __sk_buff *skb)
{
	skb->cb[0] = bpf_skb_change_tail(skb, 20, 0);
	skb->cb[1] = bpf_skb_change_tail(skb, 10, 0); /* below ETH_HLEN */
	skb->cb[2] = skb->len;
	return TC_ACT_OK;
}

/* Pushes 14 bytes in front and writes a new Ethernet header there (an
 * eth-in-eth prefix); data_out starts with the new header. */
SEC("tc")
int head_push(struct __sk_buff *skb)
{
	__u8 hdr[14] = { 0x02, 0, 0, 0, 0, 0x0e, 0x02, 0, 0, 0, 0, 0x0f, 0x88, 0xb5 };

	skb->cb[0] = bpf_skb_change_head(skb, sizeof(hdr), 0);
	if (skb->cb[0] == 0)
		bpf_skb_store_bytes(skb, 0, hdr, sizeof(hdr), 0);
	skb->cb[1] = bpf_skb_change_head(skb, 4, 1); /* flags must be 0 */
	skb->cb[2] = skb->len;
	return TC_ACT_OK;
}

/* Inserts 8 bytes after the IPv4 header (BPF_ADJ_ROOM_NET) and fills them. */
SEC("tc")
int room_net_grow(struct __sk_buff *skb)
{
	__u8 fill[8] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8 };

	skb->cb[0] = bpf_skb_adjust_room(skb, 8, BPF_ADJ_ROOM_NET, 0);
	if (skb->cb[0] == 0)
		bpf_skb_store_bytes(skb, L4_OFF, fill, sizeof(fill), 0);
	skb->cb[1] = bpf_skb_adjust_room(skb, 8, 99, 0); /* unknown mode */
	skb->cb[2] = skb->len;
	return TC_ACT_OK;
}

/* Removes 8 bytes after the IPv4 header (e.g. the UDP header). */
SEC("tc")
int room_net_shrink(struct __sk_buff *skb)
{
	skb->cb[0] = bpf_skb_adjust_room(skb, -8, BPF_ADJ_ROOM_NET, 0);
	skb->cb[2] = skb->len;
	return TC_ACT_OK;
}

/* Inserts 4 bytes after the MAC header (BPF_ADJ_ROOM_MAC) and fills them. */
SEC("tc")
int room_mac_grow(struct __sk_buff *skb)
{
	__u8 fill[4] = { 0xb1, 0xb2, 0xb3, 0xb4 };

	skb->cb[0] = bpf_skb_adjust_room(skb, 4, BPF_ADJ_ROOM_MAC, 0);
	if (skb->cb[0] == 0)
		bpf_skb_store_bytes(skb, ETH_HLEN, fill, sizeof(fill), 0);
	skb->cb[2] = skb->len;
	return TC_ACT_OK;
}

/* IPIP-style encapsulation room: 20 bytes at the network header with
 * BPF_F_ADJ_ROOM_FIXED_GSO | BPF_F_ADJ_ROOM_ENCAP_L3_IPV4, then an outer header copy. */
SEC("tc")
int room_encap(struct __sk_buff *skb)
{
	struct iphdr outer;

	if (bpf_skb_load_bytes(skb, IP4_OFF, &outer, sizeof(outer)) < 0)
		return TC_ACT_SHOT;
	skb->cb[0] = bpf_skb_adjust_room(skb, sizeof(outer), BPF_ADJ_ROOM_MAC,
					 BPF_F_ADJ_ROOM_FIXED_GSO | BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
	if (skb->cb[0] == 0) {
		outer.protocol = IPPROTO_IPIP;
		outer.tot_len = bpf_htons(bpf_ntohs(outer.tot_len) + sizeof(outer));
		outer.check = 0;
		bpf_skb_store_bytes(skb, IP4_OFF, &outer, sizeof(outer), 0);
	}
	skb->cb[2] = skb->len;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
