// redirect.ts: what bpf_redirect / redirect_peer / redirect_neigh / clone_redirect asked the
// datapath to do. The helper only records it (like the kernel's per-CPU bpf_redirect_info);
// the datapath acts on it after the program returns TC_ACT_REDIRECT (or at once for clones).

/** How the packet leaves (net/core/filter.c skb_do_redirect: BPF_F_PEER / BPF_F_NEIGH). */
export type RedirectKind = 'none' | 'redirect' | 'peer' | 'neigh';

/** Neighbour parameters of bpf_redirect_neigh (struct bpf_redir_neigh), when given. */
export class RedirectNeigh {
  present = false;
  /** AF_INET or AF_INET6 */
  family = 0;
  /** IPv4 next hop (4 bytes) or IPv6 next hop (16 bytes), network order. */
  readonly addr = new Uint8Array(16);
  /** `addr` as words, so a per-packet clear is 4 stores. */
  readonly words = new Int32Array(this.addr.buffer, 0, 4);
}

export class RedirectRequest {
  kind: RedirectKind = 'none';
  ifindex = 0;
  /** BPF_F_INGRESS etc. as passed by the program. */
  flags = 0;
  readonly neigh = new RedirectNeigh();
  /** clone_redirect copies sent during the run: [ifindex, flags] pairs, acted on by the datapath. */
  readonly clones: number[] = [];

  set(kind: RedirectKind, ifindex: number, flags: number): void {
    this.kind = kind;
    this.ifindex = ifindex;
    this.flags = flags;
    this.neigh.present = false;
  }

  clear(): void {
    this.kind = 'none';
    this.ifindex = 0;
    this.flags = 0;
    this.neigh.present = false;
    this.neigh.family = 0;
    const w = this.neigh.words;
    w[0] = w[1] = w[2] = w[3] = 0;
    // setting an array's length is a slow builtin even when it changes nothing
    if (this.clones.length !== 0) this.clones.length = 0;
  }
}
