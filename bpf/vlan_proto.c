/* vlan_proto.c: bpf_skb_vlan_push / bpf_skb_vlan_pop, bpf_skb_change_proto and
 * bpf_skb_change_type. VLAN metadata (vlan_present, vlan_tci, vlan_proto) is not
 * part of ctx_out, so programs copy it into cb[]. */
#include "common.h"

#define PACKED_VLAN(skb) (((skb)->vlan_present << 31) | ((skb)->vlan_proto << 16) | (skb)->vlan_tci)

/* One push: the tag becomes out-of-band metadata (data unchanged). A second push
 * moves the first tag into the frame. cb[0]/cb[2] = results, cb[1]/cb[3] = packed
 * (present<<31 | proto<<16 | tci) after each push. */
SEC("tcx/ingress")
int vlan_push2(struct __sk_buff *skb)
{
	skb->cb[0] = bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), 100);
	skb->cb[1] = PACKED_VLAN(skb);
	skb->cb[2] = bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021AD), 200);
	skb->cb[3] = PACKED_VLAN(skb);
	skb->cb[4] = bpf_skb_vlan_push(skb, bpf_htons(ETH_P_IP), 1); /* bad proto */
	return TC_ACT_OK;
}

/* Pop on a frame with an in-band 802.1Q header removes it from the data. */
SEC("tcx/egress")
int vlan_pop(struct __sk_buff *skb)
{
	skb->cb[0] = PACKED_VLAN(skb);
	skb->cb[1] = bpf_skb_vlan_pop(skb);
	skb->cb[2] = PACKED_VLAN(skb);
	skb->cb[3] = skb->len;
	skb->cb[4] = skb->protocol;
	return TC_ACT_OK;
}

/* IPv4 -> IPv6 header room (change_proto only resizes; the program owns the header
 * bytes). cb[0] = result, cb[1] = bad flags result, cb[2] = len, cb[3] = protocol. */
SEC("tc")
int to_ipv6(struct __sk_buff *skb)
{
	skb->cb[0] = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0);
	skb->cb[1] = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 1);
	skb->cb[2] = skb->len;
	skb->cb[3] = skb->protocol;
	return TC_ACT_OK;
}

/* pkt_type changes: cb[0] = pkt_type before, cb[1] = change to OTHERHOST result,
 * cb[2] = pkt_type after, cb[3] = change to an invalid type (OUTGOING). */
SEC("tc")
int change_type(struct __sk_buff *skb)
{
	skb->cb[0] = skb->pkt_type;
	skb->cb[1] = bpf_skb_change_type(skb, 3 /* PACKET_OTHERHOST */);
	skb->cb[2] = skb->pkt_type;
	skb->cb[3] = bpf_skb_change_type(skb, 4 /* PACKET_OUTGOING */);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
