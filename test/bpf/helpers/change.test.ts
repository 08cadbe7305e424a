// change.test.ts: skb_change_tail, skb_change_head, skb_adjust_room, skb_change_proto: the
// kernel's skb_resize and vlan_proto(to_ipv6) runs replayed helper by helper, then the flag
// checks, encap/decap bookkeeping and limits.
import { describe, expect, it } from 'vitest';
import {
  BPF_ADJ_ROOM_MAC,
  BPF_ADJ_ROOM_NET,
  BPF_F_ADJ_ROOM_DECAP_L3_IPV4,
  BPF_F_ADJ_ROOM_DECAP_L3_IPV6,
  BPF_F_ADJ_ROOM_ENCAP_L2,
  BPF_F_ADJ_ROOM_ENCAP_L2_ETH,
  BPF_F_ADJ_ROOM_ENCAP_L3_IPV4,
  BPF_F_ADJ_ROOM_ENCAP_L3_IPV6,
  BPF_F_ADJ_ROOM_ENCAP_L4_GRE,
  BPF_F_ADJ_ROOM_ENCAP_L4_UDP,
  BPF_F_ADJ_ROOM_FIXED_GSO,
  BPF_F_ADJ_ROOM_NO_CSUM_RESET,
  BPF_FUNC_skb_adjust_room as ROOM,
  BPF_FUNC_skb_change_head as HEAD,
  BPF_FUNC_skb_change_proto as PROTO,
  BPF_FUNC_skb_change_tail as TAIL,
} from '../../../src/bpf/helpers/change.js';
import { BPF_FUNC_skb_load_bytes as LOAD, BPF_FUNC_skb_store_bytes as STORE } from '../../../src/bpf/helpers/packet.js';
import { SKB_GSO_DODGY, SKB_GSO_TCPV4, SKB_GSO_TCPV6, SKB_GSO_UDP_TUNNEL } from '../../../src/bpf/helpers/skb-ops.js';
import { CHECKSUM_NONE, CHECKSUM_UNNECESSARY, ETH_P_IP, ETH_P_IPV6 } from '../../../src/bpf/skb/constants.js';
import { HelperBench, cbOut, kernelRuns, type KernelRun } from './harness.js';

const EFAULT = -14n;
const EINVAL = -22n;
const ENOTSUPP = -524n;
const EALREADY = -114n;

function replay(object: string, prog: string, body: (t: HelperBench, cb: number[]) => void): void {
  it.each(kernelRuns(object, prog))(`${prog} $data_in`, (run: KernelRun) => {
    const t = new HelperBench(run.data_in);
    const cb = [0, 0, 0, 0, 0];
    body(t, cb);
    for (let i = 0; i < 5; i++) expect(cb[i] >>> 0, `cb[${i}]`).toBe(cbOut(run, i));
    expect(t.data).toBe(run.data_out);
  });
}

describe('kernel fixture skb_resize', () => {
  replay('skb_resize', 'tail_grow', (t, cb) => {
    const len = t.skb.len;
    cb[0] = t.callU32(TAIL, len + 16, 0);
    cb[1] = t.callU32(TAIL, len + 16, 1);
    cb[2] = t.skb.len;
  });
  replay('skb_resize', 'tail_trim', (t, cb) => {
    cb[0] = t.callU32(TAIL, 20, 0);
    cb[1] = t.callU32(TAIL, 10, 0);
    cb[2] = t.skb.len;
  });
  replay('skb_resize', 'head_push', (t, cb) => {
    cb[0] = t.callU32(HEAD, 14, 0);
    if (cb[0] === 0) t.call(STORE, 0, t.put(0, '02000000000e02000000000f88b5'), 14, 0);
    cb[1] = t.callU32(HEAD, 4, 1);
    cb[2] = t.skb.len;
  });
  replay('skb_resize', 'room_net_grow', (t, cb) => {
    cb[0] = t.callU32(ROOM, 8, BPF_ADJ_ROOM_NET, 0);
    if (cb[0] === 0) t.call(STORE, 34, t.put(0, 'a1a2a3a4a5a6a7a8'), 8, 0);
    cb[1] = t.callU32(ROOM, 8, 99, 0);
    cb[2] = t.skb.len;
  });
  replay('skb_resize', 'room_net_shrink', (t, cb) => {
    cb[0] = t.callU32(ROOM, -8, BPF_ADJ_ROOM_NET, 0);
    cb[2] = t.skb.len;
  });
  replay('skb_resize', 'room_mac_grow', (t, cb) => {
    cb[0] = t.callU32(ROOM, 4, BPF_ADJ_ROOM_MAC, 0);
    if (cb[0] === 0) t.call(STORE, 14, t.put(0, 'b1b2b3b4'), 4, 0);
    cb[2] = t.skb.len;
  });
  replay('skb_resize', 'room_encap', (t, cb) => {
    if (t.call(LOAD, 14, { ptr: 0 }, 20) < 0n) return;
    cb[0] = t.callU32(ROOM, 20, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_FIXED_GSO | BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
    if (cb[0] === 0) {
      const o = t.scratch;
      o[9] = 4; // IPPROTO_IPIP
      const tot = ((o[2] << 8) | o[3]) + 20;
      o[2] = tot >>> 8;
      o[3] = tot & 0xff;
      o[10] = o[11] = 0;
      t.call(STORE, 14, { ptr: 0 }, 20, 0);
    }
    cb[2] = t.skb.len;
  });
});

describe('kernel fixture vlan_proto (change_proto)', () => {
  replay('vlan_proto', 'to_ipv6', (t, cb) => {
    cb[0] = t.callU32(PROTO, 0xdd86, 0); // bpf_htons(ETH_P_IPV6)
    cb[1] = t.callU32(PROTO, 0xdd86, 1);
    cb[2] = t.skb.len;
    cb[3] = ((t.skb.protocol & 0xff) << 8) | (t.skb.protocol >>> 8); // __sk_buff.protocol is big-endian
  });
});

const UDP4 = '02000000000202000000000108004500002112344000401114960a0000010a00000214e90035000d86cb7175657279';
const UDP6 =
  '02000000000202000000000186dd60000000000c1140fd000000000000000000000000000001fd00000000000000000000000000000203e807d0000c0e8f73697821';
const ARP = '020000000002020000000001080600010800060400010200000000010a0000010000000000000a000002';

describe('skb_change_proto', () => {
  it('IPv6 -> IPv4 removes 20 bytes after the MAC header and clears the hash', () => {
    const t = new HelperBench(UDP6);
    t.skb.hash = 5;
    t.skb.swHash = true;
    expect(t.call(PROTO, 0x0008, 0)).toBe(0n);
    expect(t.skb.protocol).toBe(ETH_P_IP);
    expect(t.skb.len).toBe(UDP6.length / 2 - 20);
    expect(t.data.slice(0, 28)).toBe(UDP6.slice(0, 28));
    expect(t.data.slice(28)).toBe(UDP6.slice(28 + 40));
    expect(t.skb.hash).toBe(0);
    expect(t.skb.networkHeader - t.skb.data).toBe(14);
  });

  it('IPv4 -> IPv4 and non-IP frames are -ENOTSUPP; GSO types are switched', () => {
    expect(new HelperBench(UDP4).call(PROTO, 0x0008, 0)).toBe(ENOTSUPP);
    expect(new HelperBench(ARP).call(PROTO, 0xdd86, 0)).toBe(ENOTSUPP);
    const t = new HelperBench(UDP4);
    t.skb.gsoSize = 1400;
    t.skb.gsoType = SKB_GSO_TCPV4;
    expect(t.call(PROTO, 0xdd86, 0)).toBe(0n);
    expect(t.skb.gsoType).toBe(SKB_GSO_TCPV6 | SKB_GSO_DODGY);
  });

  it('grows the headroom when there is none left', () => {
    const t = new HelperBench(UDP4);
    const b = t.skb;
    b.setData(0, b.len); // move the packet to the very front of the buffer
    b.buf.copyWithin(0, 64, 64 + b.len);
    b.macHeader = 0;
    b.networkHeader = 14;
    expect(t.call(PROTO, 0xdd86, 0)).toBe(0n);
    expect(t.skb.len).toBe(UDP4.length / 2 + 20);
    expect(t.data.slice(0, 28)).toBe(UDP4.slice(0, 28));
    expect(t.data.slice(28, 68)).toBe('0'.repeat(40));
    expect(t.data.slice(68)).toBe(UDP4.slice(28));
  });
});

describe('skb_change_tail / skb_change_head', () => {
  it('refuses lengths past BPF_SKB_MAX_LEN and below the transport header; ENOTSUPP when encapsulated', () => {
    const t = new HelperBench(UDP4);
    expect(t.call(TAIL, 16064 + 1, 0)).toBe(EINVAL);
    t.skb.transportHeader = t.skb.data + 34;
    expect(t.call(TAIL, 33, 0)).toBe(EINVAL);
    expect(t.call(TAIL, 34, 0)).toBe(0n);
    t.skb.encapsulation = true;
    expect(t.call(TAIL, 40, 0)).toBe(ENOTSUPP);
  });

  it('grows past the tailroom with zeros and resets GSO', () => {
    const t = new HelperBench(UDP4);
    t.skb.gsoSize = 100;
    t.skb.gsoSegs = 2;
    expect(t.call(TAIL, 5000, 0)).toBe(0n);
    expect(t.skb.len).toBe(5000);
    expect(t.skb.bytes().subarray(47).every((x) => x === 0)).toBe(true);
    expect(t.skb.gsoSize).toBe(0);
    expect(t.skb.gsoSegs).toBe(0);
  });

  it('change_head: negative (as int) room, overflow and flags are -EINVAL; the MAC header moves', () => {
    const t = new HelperBench(UDP4);
    expect(t.call(HEAD, 0x80000000, 0)).toBe(EINVAL);
    expect(t.call(HEAD, 20000, 0)).toBe(EINVAL);
    expect(t.call(HEAD, 200, 0)).toBe(0n); // more than NET_SKB_PAD: reallocates
    expect(t.skb.macHeader).toBe(t.skb.data);
    expect(t.skb.macLen).toBe(214);
    expect(t.data).toBe('00'.repeat(200) + UDP4);
  });
});

describe('skb_adjust_room', () => {
  it('checks flags, |len_diff| <= 0xfff, protocol, mode in that order', () => {
    const t = new HelperBench(ARP);
    expect(t.call(ROOM, 0x1000, 7, 1n << 40n)).toBe(EINVAL);
    expect(t.call(ROOM, 0x1000, 7, 0)).toBe(EFAULT);
    expect(t.call(ROOM, -0x1000, 7, 0)).toBe(EFAULT);
    expect(t.call(ROOM, 8, 7, 0)).toBe(ENOTSUPP);
    const u = new HelperBench(UDP4);
    expect(u.call(ROOM, 8, 2, 0)).toBe(ENOTSUPP);
  });

  it('shrinking may not cut into the base L3 header, nor use encap flags', () => {
    const t = new HelperBench(UDP4);
    const l3len = t.skb.len - 14; // 33
    expect(t.call(ROOM, -(l3len - 20 + 1), BPF_ADJ_ROOM_NET, 0)).toBe(ENOTSUPP);
    expect(t.call(ROOM, -8, BPF_ADJ_ROOM_NET, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4)).toBe(EINVAL);
    expect(t.call(ROOM, -(l3len - 20), BPF_ADJ_ROOM_NET, 0)).toBe(0n);
    expect(t.skb.len).toBe(34);
  });

  it('DECAP flags: only when shrinking, one at a time, and they switch skb->protocol', () => {
    const t = new HelperBench(UDP4);
    expect(t.call(ROOM, 8, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_DECAP_L3_IPV6)).toBe(EINVAL);
    expect(t.call(ROOM, -4, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_DECAP_L3_IPV4 | BPF_F_ADJ_ROOM_DECAP_L3_IPV6)).toBe(EINVAL);
    const v6 = new HelperBench(UDP6);
    // 6in6-style: strip 20 bytes after the MAC header, the rest must still hold an IPv4 header
    expect(v6.call(ROOM, -20, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_DECAP_L3_IPV4)).toBe(0n);
    expect(v6.skb.protocol).toBe(ETH_P_IP);
  });

  it('ENCAP_L3_IPV6 | ENCAP_L4_UDP | ENCAP_L2_ETH sets inner headers, transport, protocol and GSO type', () => {
    const t = new HelperBench(UDP4);
    const s = t.skb;
    s.gsoSize = 1000;
    s.gsoType = SKB_GSO_TCPV4;
    const flags =
      BigInt(BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 | BPF_F_ADJ_ROOM_ENCAP_L4_UDP | BPF_F_ADJ_ROOM_ENCAP_L2_ETH) | BPF_F_ADJ_ROOM_ENCAP_L2(14);
    expect(t.call(ROOM, 40 + 8 + 8 + 14, BPF_ADJ_ROOM_MAC, flags)).toBe(0n);
    expect(s.encapsulation).toBe(true);
    expect(s.protocol).toBe(ETH_P_IPV6);
    expect(s.innerProtocol).toBe(0x6558);
    // 70 bytes of room is more than the 64 of headroom: the buffer was reallocated, offsets moved
    expect(s.innerNetworkHeader - s.data).toBe(14 + 70);
    expect(s.innerMacHeader - s.data).toBe(70);
    expect(t.data.slice(2 * 84)).toBe(UDP4.slice(28));
    expect(s.networkHeader - s.data).toBe(14);
    expect(s.transportHeader - s.data).toBe(14 + 40);
    expect(s.gsoType).toBe(SKB_GSO_TCPV4 | SKB_GSO_DODGY | SKB_GSO_UDP_TUNNEL);
    expect(s.gsoSize).toBe(1000 - 70);
    expect(t.call(ROOM, 20, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4)).toBe(EALREADY);
  });

  it('encap flag conflicts and a short inner MAC length are -EINVAL', () => {
    const t = new HelperBench(UDP4);
    const both = BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L3_IPV6;
    expect(t.call(ROOM, 20, BPF_ADJ_ROOM_MAC, both)).toBe(EINVAL);
    const l4 = BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L4_GRE | BPF_F_ADJ_ROOM_ENCAP_L4_UDP;
    expect(t.call(ROOM, 20, BPF_ADJ_ROOM_MAC, l4)).toBe(EINVAL);
    const eth = BigInt(BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L2_ETH) | BPF_F_ADJ_ROOM_ENCAP_L2(10);
    expect(t.call(ROOM, 40, BPF_ADJ_ROOM_MAC, eth)).toBe(EINVAL);
    const big = BigInt(BPF_F_ADJ_ROOM_ENCAP_L3_IPV4) | BPF_F_ADJ_ROOM_ENCAP_L2(30);
    expect(t.call(ROOM, 20, BPF_ADJ_ROOM_MAC, big)).toBe(EINVAL);
    expect(t.data).toBe(UDP4);
  });

  it('UDP GSO without FIXED_GSO is -ENOTSUPP; checksum-unnecessary is reset unless NO_CSUM_RESET', () => {
    const t = new HelperBench(UDP4);
    t.skb.gsoSize = 500;
    t.skb.gsoType = 0;
    expect(t.call(ROOM, 8, BPF_ADJ_ROOM_NET, 0)).toBe(ENOTSUPP);
    const u = new HelperBench(UDP4);
    u.skb.ipSummed = CHECKSUM_UNNECESSARY;
    expect(u.call(ROOM, 8, BPF_ADJ_ROOM_NET, BPF_F_ADJ_ROOM_NO_CSUM_RESET)).toBe(0n);
    expect(u.skb.ipSummed).toBe(CHECKSUM_UNNECESSARY);
    expect(u.call(ROOM, -8, BPF_ADJ_ROOM_NET, 0)).toBe(0n);
    expect(u.skb.ipSummed).toBe(CHECKSUM_NONE);
    expect(u.data).toBe(UDP4);
  });

  it('GRE encap sets the transport header after an IPv4 outer header', () => {
    const t = new HelperBench(UDP4);
    expect(t.call(ROOM, 24, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L4_GRE)).toBe(0n);
    expect(t.skb.transportHeader - t.skb.data).toBe(34);
    expect(t.skb.protocol).toBe(ETH_P_IP);
  });
});
