/* redirect_hash.c: bpf_redirect (TC_ACT_REDIRECT = 7, or TC_ACT_SHOT on bad flags;
 * test-run returns the verdict without redirecting) and the skb hash helpers. */
#include "common.h"

/* ifindex comes from cb[0], flags from cb[1] (so one program covers the cases). */
SEC("tc")
int redirect_cb(struct __sk_buff *skb)
{
	return bpf_redirect(skb->cb[0], skb->cb[1]);
}

/* get_hash_recalc's value depends on a per-boot random seed, so only its
 * consistency is reported: cb[0] = 1 if it is non-zero and equals skb->hash
 * afterwards. Then set_hash makes the hash deterministic: cb[1] = result,
 * cb[2] = skb->hash; set_hash_invalid clears it: cb[3] = skb->hash. */
SEC("tc")
int hash_ops(struct __sk_buff *skb)
{
	__u32 h = bpf_get_hash_recalc(skb);

	skb->cb[0] = h != 0 && h == skb->hash;
	skb->cb[1] = bpf_set_hash(skb, 0x5eed1234);
	skb->cb[2] = skb->hash;
	bpf_set_hash_invalid(skb);
	skb->cb[3] = skb->hash;
	skb->cb[4] = bpf_get_hash_recalc(skb) == h;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
