/* common.h: shared includes and frame-layout constants for the tcxsim example programs.
 * Only libbpf/UAPI headers are used so every object builds with plain
 * `clang -O2 -g -target bpf` against libbpf-dev. */
#ifndef TCXSIM_COMMON_H
#define TCXSIM_COMMON_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Offsets in an untagged Ethernet + IPv4 (no options) frame. */
#define ETH_OFF_PROTO 12
#define IP4_OFF (sizeof(struct ethhdr))
#define IP4_OFF_CSUM (IP4_OFF + 10)
#define IP4_OFF_SADDR (IP4_OFF + 12)
#define IP4_OFF_DADDR (IP4_OFF + 16)
#define L4_OFF (IP4_OFF + sizeof(struct iphdr))
#define TCP_OFF_CSUM (L4_OFF + 16)
#define UDP_OFF_CSUM (L4_OFF + 6)

#endif
