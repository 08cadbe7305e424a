// tunnel.ts: the tunnel metadata bpf_skb_set_tunnel_key / _opt attach to an skb and
// bpf_skb_get_tunnel_key / _opt read (the kernel's ip_tunnel_info in a metadata dst).
// One instance per Skb, reset per packet; `present` is false when no metadata is attached.

/** Largest options blob (IP_TUNNEL_OPTS_MAX). */
export const IP_TUNNEL_OPTS_MAX = 255;

export class TunnelInfo {
  present = false;
  /** TX (set by a program, used by the encapsulating device) or RX (from a decapsulating device). */
  tx = false;
  ipv6 = false;
  /** tunnel id (VNI), host order u32 as in struct bpf_tunnel_key */
  id = 0;
  /** remote (and local) IPv4, host order as bpf_tunnel_key.remote_ipv4 */
  remoteIpv4 = 0;
  localIpv4 = 0;
  /** remote/local IPv6, network order bytes */
  readonly remoteIpv6 = new Uint8Array(16);
  readonly localIpv6 = new Uint8Array(16);
  tos = 0;
  ttl = 0;
  /** IPv6 flow label (host order, 20 bits) */
  label = 0;
  /** TUNNEL_* flags (csum, key, seq, dont_fragment, ...) as the kernel keeps them */
  flags = 0;
  /** UDP source/destination port of the outer header, when set */
  tpSrc = 0;
  tpDst = 0;
  readonly options = new Uint8Array(IP_TUNNEL_OPTS_MAX);
  optionsLen = 0;
  /** The two addresses as words, so clear() (once per packet) zeroes them with 8 stores. */
  private readonly remoteWords = new Int32Array(this.remoteIpv6.buffer, 0, 4);
  private readonly localWords = new Int32Array(this.localIpv6.buffer, 0, 4);

  clear(): void {
    this.present = false;
    this.tx = false;
    this.ipv6 = false;
    this.id = this.remoteIpv4 = this.localIpv4 = 0;
    // two named arrays, not a loop over a list: a for-of costs an iterator per packet until V8 optimises clear()
    const r = this.remoteWords;
    r[0] = r[1] = r[2] = r[3] = 0;
    const l = this.localWords;
    l[0] = l[1] = l[2] = l[3] = 0;
    this.tos = this.ttl = this.label = this.flags = this.tpSrc = this.tpDst = 0;
    this.optionsLen = 0;
  }

  copyFrom(o: TunnelInfo): void {
    this.present = o.present;
    this.tx = o.tx;
    this.ipv6 = o.ipv6;
    this.id = o.id;
    this.remoteIpv4 = o.remoteIpv4;
    this.localIpv4 = o.localIpv4;
    this.remoteIpv6.set(o.remoteIpv6);
    this.localIpv6.set(o.localIpv6);
    this.tos = o.tos;
    this.ttl = o.ttl;
    this.label = o.label;
    this.flags = o.flags;
    this.tpSrc = o.tpSrc;
    this.tpDst = o.tpDst;
    this.options.set(o.options.subarray(0, o.optionsLen));
    this.optionsLen = o.optionsLen;
  }
}

