// skb.ts: one packet as the kernel's sk_buff holds it: linear bytes in a reusable buffer with
// headroom and tailroom, the header offsets and the metadata tc programs read and change.
// Reusing an Skb for the next frame copies the bytes in and resets the fields: no allocation.
//
//   buf:  [ headroom ........ | data ............. tail | tailroom ............ ]
//         0                   data                 tail                  buf.length
//   region (the packet as programs see it): same bytes, size = tail (= data_end)
//
// Offsets (data, tail, mac/network/transport headers) are absolute in `buf`, so a packet
// pointer's lo is an offset in the packet region. Growing the buffer replaces `region`; the
// helper that did it must then call memory.replacePacket(skb.region, ...) as for any change.
import { Region } from '../memory.js';
import {
  CHECKSUM_NONE,
  NET_IP_ALIGN,
  NET_SKB_PAD,
  PACKET_HOST,
  SKB_CLOCK_REALTIME,
  SKB_MAX_FRAME,
} from './constants.js';
import { RedirectRequest } from './redirect.js';
import { TunnelInfo } from './tunnel.js';
import type { SkbSocket } from './socket.js';

/** skb->mac_header etc. when unset (the kernel's (typeof(skb->mac_header))~0U). */
export const HEADER_UNSET = -1;

/** Minimum tailroom kept past the largest frame so skb_change_tail/put rarely reallocate. */
const DEFAULT_TAILROOM = 256;

export class Skb {
  /** The bytes; replaced (and `region` with it) only when headroom or tailroom must grow. */
  buf: Uint8Array;
  /** The packet region programs address; shares `buf`. */
  region: Region;
  /** Headroom given to each new frame; grows when a helper needed more. */
  reserve: number;

  data = 0;
  tail = 0;
  /** XDP-style metadata in front of data (data_meta = data - metaLen); 0 for tc. */
  metaLen = 0;
  macHeader = HEADER_UNSET;
  networkHeader = HEADER_UNSET;
  transportHeader = HEADER_UNSET;
  macLen = 0;
  /** Tunnel encapsulation present (skb->encapsulation) and inner header offsets. */
  encapsulation = false;
  innerMacHeader = HEADER_UNSET;
  innerNetworkHeader = HEADER_UNSET;
  innerTransportHeader = HEADER_UNSET;
  innerProtocol = 0;

  /** skb->protocol, in host order (ETH_P_IP = 0x0800); __sk_buff shows the big-endian u16. */
  protocol = 0;
  pktType = PACKET_HOST;
  mark = 0;
  priority = 0;
  tcIndex = 0;
  /** qdisc_skb_cb->data: the 20 bytes of __sk_buff cb[0..4]. */
  readonly cb = new Uint8Array(20);
  /** `cb` as five words, so the per-packet reset is five stores. */
  private readonly cbWords = new Int32Array(this.cb.buffer, 0, 5);
  /** qdisc_skb_cb->tc_classid (u16) */
  tcClassid = 0;
  /** qdisc_skb_cb->pkt_len (__sk_buff wire_len) */
  wireLen = 0;
  queueMapping = 0;
  tstamp = 0n;
  tstampType = SKB_CLOCK_REALTIME;
  /** skb_shinfo(skb)->hwtstamps.hwtstamp */
  hwtstamp = 0n;
  gsoSegs = 0;
  gsoSize = 0;
  gsoType = 0;

  /** Hardware-accelerated (out-of-band) VLAN tag: vlan_all != 0. */
  vlanPresent = false;
  vlanTci = 0;
  /** host order (ETH_P_8021Q) */
  vlanProto = 0;

  hash = 0;
  l4Hash = false;
  swHash = false;

  /** skb->dev->ifindex */
  ifindex = 0;
  /** skb->skb_iif */
  ingressIfindex = 0;
  napiId = 0;
  tcAtIngress = false;
  /** skb->cloned: the data is shared and must be unshared before a write. */
  cloned = false;

  ipSummed = CHECKSUM_NONE;
  /** skb->csum (CHECKSUM_COMPLETE: sum of the bytes from data; CHECKSUM_PARTIAL: unused here) */
  csum = 0;
  csumLevel = 0;
  csumStart = 0;
  csumOffset = 0;

  /** skb->sk, or null. */
  sk: SkbSocket | null = null;
  /** Tunnel metadata (skb_dst's ip_tunnel_info) for set/get_tunnel_key; `present` false when none. */
  readonly tunnel = new TunnelInfo();
  /** What bpf_redirect* asked for, read by the datapath after the program returns. */
  readonly redirect = new RedirectRequest();

  constructor(maxFrame = SKB_MAX_FRAME, reserve = NET_SKB_PAD + NET_IP_ALIGN) {
    this.reserve = reserve;
    this.buf = new Uint8Array(reserve + maxFrame + DEFAULT_TAILROOM);
    this.region = packetRegion(this.buf);
    this.setData(reserve, reserve);
  }

  /** skb->len: linear only (tcxsim never builds paged skbs). */
  get len(): number {
    return this.tail - this.data;
  }
  get headroom(): number {
    return this.data;
  }
  get tailroom(): number {
    return this.buf.length - this.tail;
  }
  /** The current bytes from data to tail (a view, valid until the next change). */
  bytes(): Uint8Array {
    return this.buf.subarray(this.data, this.tail);
  }

  /**
   * Starts a new packet: copies `frame` in at the reserved headroom and resets every field to
   * what a freshly allocated skb has (no device, no socket, no redirect). Allocation-free unless
   * the frame is larger than the buffer.
   */
  load(frame: Uint8Array): this {
    this.resetFields();
    if (this.reserve + frame.length > this.buf.length) this.realloc(this.reserve, frame.length + DEFAULT_TAILROOM);
    this.buf.set(frame, this.reserve);
    this.setData(this.reserve, this.reserve + frame.length);
    this.wireLen = frame.length;
    return this;
  }

  /** Every field except the bytes back to its zero value. */
  resetFields(): void {
    this.metaLen = 0;
    this.macHeader = this.networkHeader = this.transportHeader = HEADER_UNSET;
    this.macLen = 0;
    this.encapsulation = false;
    this.innerMacHeader = this.innerNetworkHeader = this.innerTransportHeader = HEADER_UNSET;
    this.innerProtocol = 0;
    this.protocol = 0;
    this.pktType = PACKET_HOST;
    this.mark = this.priority = this.tcIndex = this.tcClassid = this.wireLen = this.queueMapping = 0;
    const cb = this.cbWords;
    cb[0] = cb[1] = cb[2] = cb[3] = cb[4] = 0;
    this.tstamp = 0n;
    this.tstampType = SKB_CLOCK_REALTIME;
    this.hwtstamp = 0n;
    this.gsoSegs = this.gsoSize = this.gsoType = 0;
    this.vlanPresent = false;
    this.vlanTci = this.vlanProto = 0;
    this.hash = 0;
    this.l4Hash = this.swHash = false;
    this.ifindex = this.ingressIfindex = this.napiId = 0;
    this.tcAtIngress = false;
    this.cloned = false;
    this.ipSummed = CHECKSUM_NONE;
    this.csum = this.csumLevel = this.csumStart = this.csumOffset = 0;
    this.sk = null;
    this.tunnel.clear();
    this.redirect.clear();
  }

  // ------------------------------------------------------------------ header offsets
  resetMacHeader(): void {
    this.macHeader = this.data;
  }
  resetNetworkHeader(): void {
    this.networkHeader = this.data;
  }
  resetTransportHeader(): void {
    this.transportHeader = this.data;
  }

  // ------------------------------------------------------------------ data movement
  /** skb_push: data -= n (caller checked headroom, or called ensureHeadroom first). Returns new data. */
  push(n: number): number {
    if (n > this.data) throw new RangeError(`skb_push ${n}: only ${this.data} bytes of headroom`);
    this.data -= n;
    return this.data;
  }

  /** skb_pull: data += n. */
  pull(n: number): number {
    if (n > this.len) throw new RangeError(`skb_pull ${n}: packet has ${this.len} bytes`);
    this.data += n;
    return this.data;
  }

  /** skb_put: tail += n, new bytes zeroed (as __skb_put_zero); returns the old tail. */
  put(n: number): number {
    if (n > this.tailroom) throw new RangeError(`skb_put ${n}: only ${this.tailroom} bytes of tailroom`);
    const old = this.tail;
    this.buf.fill(0, old, old + n);
    this.setTail(old + n);
    return old;
  }

  /** skb_trim: cut the packet to `len` bytes (no-op if already shorter). */
  trim(len: number): void {
    if (len < this.len) this.setTail(this.data + len);
  }

  /**
   * Makes sure `n` bytes of headroom exist. Reallocates (moving the bytes and every offset) when
   * not; returns true then, so the caller knows `buf` and `region` were replaced.
   */
  ensureHeadroom(n: number): boolean {
    if (n <= this.data) return false;
    this.realloc(alignUp(n, 64), this.tailroom);
    return true;
  }

  /** Same for tailroom. */
  ensureTailroom(n: number): boolean {
    if (n <= this.tailroom) return false;
    this.realloc(this.data, n + DEFAULT_TAILROOM);
    return true;
  }

  /**
   * Moves the bytes into a new buffer with `headroom` before data and `tailroom` after tail;
   * shifts every absolute offset. Future frames keep at least this much headroom.
   */
  private realloc(headroom: number, tailroom: number): void {
    const len = this.tail - this.data;
    const shift = headroom - this.data;
    const buf = new Uint8Array(headroom + len + tailroom);
    buf.set(this.buf.subarray(this.data - this.metaLen, this.tail), headroom - this.metaLen);
    this.buf = buf;
    this.region = packetRegion(buf);
    if (headroom > this.reserve) this.reserve = headroom;
    const move = (off: number): number => (off === HEADER_UNSET ? off : off + shift);
    this.macHeader = move(this.macHeader);
    this.networkHeader = move(this.networkHeader);
    this.transportHeader = move(this.transportHeader);
    this.innerMacHeader = move(this.innerMacHeader);
    this.innerNetworkHeader = move(this.innerNetworkHeader);
    this.innerTransportHeader = move(this.innerTransportHeader);
    this.csumStart = this.csumStart === 0 ? 0 : this.csumStart + shift;
    this.setData(this.data + shift, this.tail + shift);
  }

  /** Sets data and tail together (keeps region.size = data_end). */
  setData(data: number, tail: number): void {
    this.data = data;
    this.setTail(tail);
  }

  setTail(tail: number): void {
    this.tail = tail;
    this.region.size = tail;
  }
}

function packetRegion(buf: Uint8Array): Region {
  return new Region('packet', buf, true);
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}
