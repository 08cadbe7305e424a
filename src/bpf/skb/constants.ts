// constants.ts: the kernel's numbers an skb carries (include/uapi/linux/if_packet.h, if_ether.h,
// include/linux/skbuff.h), under the kernel's names. Values only; no behaviour.

/** skb->pkt_type (include/uapi/linux/if_packet.h) */
export const PACKET_HOST = 0;
export const PACKET_BROADCAST = 1;
export const PACKET_MULTICAST = 2;
export const PACKET_OTHERHOST = 3;
export const PACKET_OUTGOING = 4;
export const PACKET_LOOPBACK = 5;

/** Ethernet (include/uapi/linux/if_ether.h), host order. */
export const ETH_ALEN = 6;
export const ETH_HLEN = 14;
export const ETH_P_802_3 = 0x0001;
export const ETH_P_802_2 = 0x0004;
export const ETH_P_802_3_MIN = 0x0600;
export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_8021Q = 0x8100;
export const ETH_P_8021AD = 0x88a8;
export const ETH_P_IPV6 = 0x86dd;

/** skb->ip_summed (include/linux/skbuff.h) */
export const CHECKSUM_NONE = 0;
export const CHECKSUM_UNNECESSARY = 1;
export const CHECKSUM_COMPLETE = 2;
export const CHECKSUM_PARTIAL = 3;

/** skb->tstamp_type (enum skb_tstamp_type; __sk_buff BPF_SKB_CLOCK_*) */
export const SKB_CLOCK_REALTIME = 0;
export const SKB_CLOCK_MONOTONIC = 1;
export const SKB_CLOCK_TAI = 2;

/** Address families for the socket a test run attaches. */
export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 10;

/** include/linux/netdevice.h, include/net/busy_poll.h */
export const GSO_MAX_SEGS = 65535;
export const GSO_LEGACY_MAX_SIZE = 65536;
/** MIN_NAPI_ID = NR_CPUS + 1 (CONFIG_NR_CPUS=8192 on distribution kernels); smaller ids are sender_cpu values and read as 0. */
export const MIN_NAPI_ID = 8193;
export const NO_QUEUE_MAPPING = 0xffff;

/** Headroom a received skb gets on x86-64 (NET_SKB_PAD 64 + NET_IP_ALIGN 0), used by test-run. */
export const NET_SKB_PAD = 64;
export const NET_IP_ALIGN = 0;

/** Largest frame an Skb holds without reallocating (64 KiB, the GSO limit). */
export const SKB_MAX_FRAME = 65536;
