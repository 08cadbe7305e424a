/* csum_nat.c: DNAT of IPv4 TCP/UDP to 192.168.1.10:8080 with incremental checksum
 * fixups (bpf_l3_csum_replace, bpf_l4_csum_replace with BPF_F_PSEUDO_HDR, UDP with
 * BPF_F_MARK_MANGLED_0), and the same address rewrite done with bpf_csum_diff. */
#include "common.h"

#define NAT_ADDR 0xc0a8010a /* 192.168.1.10 */
#define NAT_PORT 8080

SEC("tc/dnat")
int dnat(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u32 old_ip, new_ip = bpf_htonl(NAT_ADDR);
	__u16 old_port, new_port = bpf_htons(NAT_PORT);
	__u32 csum_off, port_off, l4_flags;
	__u8 proto;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
		return TC_ACT_OK;
	proto = ip->protocol;
	old_ip = ip->daddr;
	if (proto == IPPROTO_TCP) {
		csum_off = TCP_OFF_CSUM;
		l4_flags = BPF_F_PSEUDO_HDR;
	} else if (proto == IPPROTO_UDP) {
		csum_off = UDP_OFF_CSUM;
		l4_flags = BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0;
	} else {
		return TC_ACT_UNSPEC;
	}
	port_off = L4_OFF + 2;
	if (bpf_skb_load_bytes(skb, port_off, &old_port, sizeof(old_port)) < 0)
		return TC_ACT_SHOT;

	skb->cb[0] = bpf_l4_csum_replace(skb, csum_off, old_ip, new_ip, l4_flags | sizeof(new_ip));
	skb->cb[1] = bpf_l3_csum_replace(skb, IP4_OFF_CSUM, old_ip, new_ip, sizeof(new_ip));
	bpf_skb_store_bytes(skb, IP4_OFF_DADDR, &new_ip, sizeof(new_ip), 0);
	skb->cb[2] = bpf_l4_csum_replace(skb, csum_off, old_port, new_port,
					  (l4_flags & ~BPF_F_PSEUDO_HDR) | sizeof(new_port));
	bpf_skb_store_bytes(skb, port_off, &new_port, sizeof(new_port), 0);
	/* error returns: bad size (3) and an offset past the packet */
	skb->cb[3] = bpf_l3_csum_replace(skb, IP4_OFF_CSUM, 0, 1, 3);
	skb->cb[4] = bpf_l4_csum_replace(skb, skb->len, 0, 1, 2);
	return TC_ACT_OK;
}

/* SNAT of the source address using one csum_diff delta for both checksums;
 * mark = the csum_diff result, cb[0] = csum_diff with a size not a multiple of 4. */
SEC("tc/snat_diff")
int snat_diff(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u32 old_ip, new_ip = bpf_htonl(0x0a636363); /* 10.99.99.99 */
	__s64 diff;
	__u32 csum_off;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
		return TC_ACT_OK;
	old_ip = ip->saddr;
	csum_off = ip->protocol == IPPROTO_TCP ? TCP_OFF_CSUM : ip->protocol == IPPROTO_UDP ? UDP_OFF_CSUM : 0;
	diff = bpf_csum_diff(&old_ip, sizeof(old_ip), &new_ip, sizeof(new_ip), 0);
	skb->mark = (__u32)diff;
	skb->cb[0] = bpf_csum_diff(&old_ip, 3, &new_ip, 3, 0);
	skb->cb[1] = bpf_csum_diff(0, 0, &new_ip, sizeof(new_ip), 0x1234);
	bpf_skb_store_bytes(skb, IP4_OFF_SADDR, &new_ip, sizeof(new_ip), 0);
	skb->cb[2] = bpf_l3_csum_replace(skb, IP4_OFF_CSUM, 0, diff, 0);
	if (csum_off)
		skb->cb[3] = bpf_l4_csum_replace(skb, csum_off, 0, diff, BPF_F_PSEUDO_HDR);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
