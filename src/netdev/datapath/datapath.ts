// datapath.ts: the receive and transmit paths of net/core/dev.c for every device of a World:
// a FIFO backlog (netif_rx, veth delivery) drained by run(), synchronous dev_queue_xmit with the
// kernel's xmit recursion limit, tc ingress/egress (tcx chain first, then clsact/cls_bpf only on
// TCX_NEXT), redirects acted on after the program returns (net/core/filter.c skb_do_redirect)
// from redirect info that lives as long as the kernel's bpf_net_context, clone_redirect copies
// taken during the helper call, and an outcome for every packet in `accounting`.
//
//   inject/netif_rx -> backlog -> receive: taps -> tc ingress -> [peer round] -> after-tc tap -> L3 stack
//   send/stack output -> xmit: tc egress -> carrier? (else noop qdisc) -> taps -> veth peer backlog | wire | lo
import { BpfFault } from '../../bpf/fault.js';
import { Skb } from '../../bpf/skb/skb.js';
import { ethTypeTrans } from '../../bpf/skb/eth-type-trans.js';
import { ETH_HLEN, PACKET_HOST, SKB_CLOCK_REALTIME } from '../../bpf/skb/constants.js';
import { RedirectRequest } from '../../bpf/skb/redirect.js';
import { TcClassic } from '../../tc/classic.js';
import type { ClsactQdisc } from '../../tc/clsact.js';
import {
  TC_ACT_CONSUMED,
  TC_ACT_OK,
  TC_ACT_QUEUED,
  TC_ACT_REDIRECT,
  TC_ACT_SHOT,
  TC_ACT_STOLEN,
  TC_ACT_TRAP,
  TC_ACT_UNSPEC,
} from '../../tc/action.js';
import { ERRNO } from '../../errors.js';
import { Accounting, type PacketOrigin } from '../accounting.js';
import type { NetDevice } from '../device.js';
import type { NetNamespace } from '../netns.js';
import type { World } from '../world.js';
import type { DropReason } from './drop.js';
import { HookFault, StaticTcxChains, type Hook, type HookProgram, type TcxChains } from './hooks.js';
import { Packet } from './packet.js';
import { redirectNeigh } from '../stack/output.js';
import { stackHandles, stackReceive, type StackHost } from '../stack/receive.js';

/** XMIT_RECURSION_LIMIT (include/linux/netdevice.h): nesting deeper than this drops. */
export const XMIT_RECURSION_LIMIT = 8;
/** tcxsim guard: receive rounds one packet may take (the kernel would loop forever). */
export const MAX_RX_ROUNDS = 64;
/** BPF_F_INGRESS (include/uapi/linux/bpf.h) */
export const BPF_F_INGRESS = 1;
/** VLAN_HLEN, allowed on top of MTU + hard_header_len by is_skb_forwardable. */
const VLAN_HLEN = 4;
/** net.core.netdev_budget: packets one net_rx_action handles (one bpf_net_context). */
export const NETDEV_BUDGET = 300;

export const NET_XMIT_SUCCESS = 0;
export const NET_XMIT_DROP = 1;
/** noop_enqueue's answer (the qdisc of a device that is down or has no carrier). */
export const NET_XMIT_CN = 2;
export const NET_RX_SUCCESS = 0;
export const NET_RX_DROP = 1;

/** Capture points: `ingress` sees frames before tc (ETH_P_ALL taps), `egress` after tc egress. */
export interface Capture {
  ingress?(dev: NetDevice, frame: Uint8Array, pkt: Packet): void;
  /**
   * After tc ingress let the packet through (or the device has no ingress hook), before packet
   * sockets and the L3 stack; the frame from its MAC header. Returning true takes the packet off
   * the datapath there (accounted 'held', a consuming tap); otherwise it goes on to the stack.
   */
  afterIngress?(dev: NetDevice, frame: Uint8Array, pkt: Packet): boolean | void;
  egress?(dev: NetDevice, frame: Uint8Array, pkt: Packet): void;
  /** A frame leaving a wire port (its far side). */
  wire?(dev: NetDevice, frame: Uint8Array, pkt: Packet): void;
  /** A packet delivered to a namespace's host sink (data at the network header). */
  host?(ns: NetNamespace, pkt: Packet): void;
}

export interface DatapathOptions {
  tcx?: TcxChains;
  classic?: TcClassic;
  capture?: Capture;
  accounting?: Accounting;
  maxRxRounds?: number;
}

/**
 * The kernel's drop reasons for noop_enqueue (QDISC_DROP) and __dev_queue_xmit's recursion alert
 * (RECURSION_LIMIT), measured in test/fixtures/datapath/kernel-review-experiments.json, have no
 * key in DROP_REASONS yet: they are reported under the nearest key until drop.ts has one.
 */
const NOOP_QDISC_DROP: DropReason = 'qdisc_drop';
const RECURSION_ALERT_DROP: DropReason = 'recursion_limit';

export class Datapath implements StackHost {
  readonly tcx: TcxChains;
  readonly classic: TcClassic;
  readonly accounting: Accounting;
  capture: Capture;
  private readonly maxRxRounds: number;
  private readonly backlog: Packet[] = [];
  private head = 0;
  /** softnet_data.xmit.recursion */
  private recursion = 0;
  private nextId = 1;
  private readonly pool: Skb[] = [];
  /** Packet sockets bound to an ethertype in a namespace (ptype_specific), `ns/0x88b5`. */
  private readonly packetSockets = new Set<string>();
  /** The packet whose hook program is running (clone_redirect acts on it). */
  private current: Packet | null = null;
  /**
   * bpf_net_context's bpf_redirect_info: zeroed when a context starts (net_rx_action, or a
   * sch_handle_egress outside softirq), kept across every packet and hook of that context, and
   * only tgt_index/flags cleared by skb_do_redirect. Copied into the skb's record for a hook
   * run (the helpers write there) and back afterwards.
   */
  private readonly ri = new RedirectRequest();
  /** Nesting of bpf_net_ctx_set: 0 = no context. */
  private ctxDepth = 0;
  /** clone_redirect copies for egress whose transmit waits until the running program returns. */
  private readonly cloneQueue: { clone: Packet; dev: NetDevice }[] = [];

  constructor(
    readonly world: World,
    opts: DatapathOptions = {},
  ) {
    this.tcx = opts.tcx ?? new StaticTcxChains();
    this.classic = opts.classic ?? new TcClassic();
    this.accounting = opts.accounting ?? new Accounting();
    this.capture = opts.capture ?? {};
    this.maxRxRounds = opts.maxRxRounds ?? MAX_RX_ROUNDS;
  }

  // ------------------------------------------------------------------ entry points

  /** A frame arrives on `dev` from outside (a wire port's far side): netif_rx. */
  inject(dev: NetDevice, frame: Uint8Array): Packet {
    const pkt = this.create('injected', frame);
    if (!dev.up) {
      pkt.dev = dev;
      this.drop(pkt, 'dev_down', dev.path, 'receive on a device that is down');
    } else {
      this.netifRx(pkt, dev);
    }
    return pkt;
  }

  /** A host in dev's namespace sends a raw Ethernet frame out of `dev` (AF_PACKET): dev_queue_xmit. */
  send(dev: NetDevice, frame: Uint8Array): number {
    const pkt = this.create('injected', frame);
    if (!dev.up) {
      // packet_snd refuses a device without IFF_UP before dev_queue_xmit: no hook, no counter
      pkt.dev = dev;
      this.drop(pkt, 'dev_down', dev.path, 'sendto: ENETDOWN (packet_snd: the device is down; the kernel builds no skb)');
      return -ERRNO.ENETDOWN;
    }
    const skb = pkt.skb;
    skb.macHeader = skb.data;
    if (skb.len >= ETH_HLEN) {
      skb.networkHeader = skb.data + ETH_HLEN;
      skb.protocol = (skb.buf[skb.data + 12]! << 8) | skb.buf[skb.data + 13]!;
    }
    return this.xmit(pkt, dev);
  }

  /** A packet socket bound to `ethertype` in `ns`: frames of that type are delivered there. */
  listen(ns: NetNamespace, ethertype: number): void {
    this.packetSockets.add(`${ns.name}/${ethertype}`);
  }

  /** Drains the backlog (net_rx_action); returns the number of packets processed. */
  run(limit = 1_000_000): number {
    let n = 0;
    // net_rx_action: one bpf_net_context (fresh redirect info) per NETDEV_BUDGET packets
    this.ctxDepth++;
    try {
      while (this.head < this.backlog.length && n < limit) {
        if (n % NETDEV_BUDGET === 0) this.ri.clear();
        const pkt = this.backlog[this.head]!;
        this.backlog[this.head++] = undefined as unknown as Packet;
        n++;
        this.receive(pkt);
        if (this.head > 1024 && this.head * 2 > this.backlog.length) {
          this.backlog.splice(0, this.head);
          this.head = 0;
        }
      }
    } finally {
      this.ctxDepth--;
    }
    return n;
  }

  get pending(): number {
    return this.backlog.length - this.head;
  }

  /** The packet whose hook programs are running (helpers ask for its device and namespace). */
  get currentPacket(): Packet | null {
    return this.current;
  }

  /**
   * bpf_clone_redirect, called by the helper during the program run: skb_clone (a full copy of
   * the bytes and metadata as they are now), then __bpf_redirect of the copy. Returns what the
   * helper returns. An ingress clone goes to the backlog (netif_rx) at once, as in the kernel. An
   * egress clone whose target runs no egress program is transmitted at once too; when the
   * target has egress programs, its transmit waits until the running program returns (one VM
   * cannot nest a run) and the return value is what the transmit gives if those programs pass
   * the clone: NET_XMIT_CN when the target is down or has no carrier, else NET_XMIT_SUCCESS
   * (a SHOT there would have made it NET_XMIT_DROP in the kernel).
   */
  cloneRedirect(ifindex: number, flags: number): number {
    const pkt = this.current;
    if (!pkt) return -ERRNO.EINVAL;
    if ((flags & ~BPF_F_INGRESS) !== 0) return -ERRNO.EINVAL;
    const dev = pkt.dev.ns.byIfindex.get(ifindex);
    if (!dev) return -ERRNO.EINVAL;
    const clone = this.cloneOf(pkt);
    const q = this.classic.qdisc(dev);
    if (flags & BPF_F_INGRESS || (this.tcx.programs(dev, 'egress').length === 0 && (!q || q.egress.empty))) {
      return this.redirectCommon(clone, dev, flags);
    }
    // __bpf_redirect_common's and __bpf_tx_skb's checks happen now, as in the kernel
    const skb = clone.skb;
    if (skb.macHeader >= skb.networkHeader || skb.len === 0) return this.redirectCommon(clone, dev, flags);
    if (this.recursion > XMIT_RECURSION_LIMIT) return this.txNested(clone, dev);
    this.cloneQueue.push({ clone, dev });
    return hasCarrier(dev) ? NET_XMIT_SUCCESS : NET_XMIT_CN;
  }

  // ------------------------------------------------------------------ StackHost

  create(origin: PacketOrigin, frame: Uint8Array): Packet {
    const skb = this.pool.pop() ?? new Skb(2048);
    skb.load(frame);
    this.accounting.begin(origin);
    return new Packet(this.nextId++, skb, origin);
  }

  drop(pkt: Packet, reason: DropReason, where: string, detail?: string, program?: { id: number; name: string; pc: number }): void {
    this.end(pkt);
    this.accounting.end({ id: pkt.id, origin: pkt.origin, outcome: 'dropped', where, reason, detail, program });
  }

  deliver(pkt: Packet, ns: NetNamespace, detail?: string): void {
    this.capture.host?.(ns, pkt);
    this.finish(pkt, 'delivered', ns.name, detail);
  }

  /** A packet's normal end (delivered, out of a wire port): no PacketFate is built unless kept. */
  private finish(pkt: Packet, outcome: 'delivered' | 'wire', where: string, detail?: string): void {
    this.end(pkt);
    const acc = this.accounting;
    if (acc.keepFates) acc.end({ id: pkt.id, origin: pkt.origin, outcome, where, detail });
    else acc.tally(outcome, where);
  }

  private hold(pkt: Packet, where: string, detail: string): void {
    this.end(pkt);
    this.accounting.end({ id: pkt.id, origin: pkt.origin, outcome: 'held', where, detail });
  }

  private end(pkt: Packet): void {
    if (pkt.ended) throw new Error(`packet ${pkt.id} ended twice`);
    pkt.ended = true;
    this.pool.push(pkt.skb);
  }

  /** netif_rx after the driver's eth_type_trans: the frame joins the backlog as received on `dev`. */
  netifRx(pkt: Packet, dev: NetDevice): void {
    const skb = pkt.skb;
    pkt.dev = dev;
    if (skb.len < ETH_HLEN) {
      this.drop(pkt, 'pkt_too_small', dev.path, `${skb.len}-byte frame`);
      return;
    }
    ethTypeTrans(skb, dev);
    dev.stats.rxPackets++;
    dev.stats.rxBytes += skb.len + ETH_HLEN;
    this.backlog.push(pkt);
  }

  // ------------------------------------------------------------------ receive

  /** __netif_receive_skb_core */
  private receive(pkt: Packet): void {
    const skb = pkt.skb;
    let dev = pkt.dev;
    for (;;) {
      if (++pkt.rounds > this.maxRxRounds) {
        this.drop(pkt, 'loop_limit', dev.path, `more than ${this.maxRxRounds} receive rounds`);
        return;
      }
      skb.ifindex = dev.ifindex;
      skb.ingressIfindex = dev.ifindex;
      skb.resetNetworkHeader();
      skb.macLen = skb.networkHeader - skb.macHeader;
      this.capture.ingress?.(dev, skb.buf.subarray(skb.macHeader, skb.tail), pkt);
      const chain = this.tcx.programs(dev, 'ingress');
      const q = this.classic.qdisc(dev);
      if (chain.length > 0 || q) {
        // sch_handle_ingress
        skb.wireLen = skb.len;
        skb.tcAtIngress = true;
        const verdict = this.tcRun(pkt, dev, 'ingress', chain, q);
        switch (verdict) {
          case TC_ACT_REDIRECT: {
            skb.push(skb.macLen);
            if (this.doRedirect(pkt) === -ERRNO.EAGAIN) {
              skb.pull(skb.macLen);
              dev = pkt.dev;
              continue; // another_round on the peer
            }
            return;
          }
          case TC_ACT_SHOT:
            this.drop(pkt, 'tc_ingress', dev.path);
            return;
          case TC_ACT_STOLEN:
          case TC_ACT_QUEUED:
          case TC_ACT_TRAP:
            this.hold(pkt, dev.path, `tc ingress verdict ${verdict}`);
            return;
          case TC_ACT_CONSUMED:
            return;
        }
      }
      break;
    }
    if (this.capture.afterIngress?.(dev, skb.buf.subarray(skb.macHeader, skb.tail), pkt) === true) {
      this.hold(pkt, dev.path, 'taken after tc ingress');
      return;
    }
    if (this.packetSockets.size > 0 && this.packetSockets.has(`${dev.ns.name}/${skb.protocol}`) && !stackHandles(skb.protocol)) {
      this.deliver(pkt, dev.ns, `packet socket 0x${skb.protocol.toString(16)}`);
      return;
    }
    stackReceive(this, pkt, dev);
  }

  // ------------------------------------------------------------------ tc hooks

  /**
   * tcx_run then tc_run: the tcx chain (r0 per program; only TCX_NEXT continues), mapped by
   * tcx_action_code; classic cls_bpf runs only when that gives TCX_NEXT. A fault drops the
   * packet here and returns TC_ACT_CONSUMED (the skb is gone). `chain` and `q` are the hook's
   * tcx programs and clsact qdisc, as the caller just looked them up.
   */
  private tcRun(pkt: Packet, dev: NetDevice, hook: Hook, chain: readonly HookProgram[], q: ClsactQdisc | undefined): number {
    const skb = pkt.skb;
    const ingress = hook === 'ingress';
    copyRedirect(skb.redirect, this.ri);
    const outer = this.current;
    this.current = pkt;
    // clones queued from here on are this hook's (a hook can run inside a helper call, below
    // clones its caller's program queued and that must wait for that program to return)
    const mark = this.cloneQueue.length;
    try {
      let ret = TC_ACT_UNSPEC;
      if (chain.length > 0) {
        if (ingress) skb.push(skb.macLen);
        try {
          for (let i = 0; i < chain.length; i++) {
            // runHookProgram, written out: one call level less between the chain and the program
            // (each level V8 optimises on its own first, with everything below it inlined)
            const prog = chain[i]!;
            let r: number | BpfFault;
            try {
              r = prog.run(skb);
            } catch (e) {
              if (e instanceof BpfFault) throw new HookFault(prog, e);
              throw e;
            }
            if (typeof r !== 'number') throw new HookFault(prog, r);
            ret = r | 0;
            this.drainClones(pkt, mark);
            if (ret !== TC_ACT_UNSPEC) break;
          }
        } finally {
          if (ingress) skb.pull(skb.macLen);
        }
        // tcx_action_code
        switch (ret) {
          case TC_ACT_OK:
            skb.tcIndex = skb.tcClassid;
            return ret;
          case TC_ACT_SHOT:
          case TC_ACT_REDIRECT:
            return ret;
          default:
            ret = TC_ACT_UNSPEC;
        }
      }
      if (q) {
        ret = q.chain(hook).run(skb, ingress);
        this.drainClones(pkt, mark);
      }
      return ret;
    } catch (e) {
      if (!(e instanceof HookFault)) throw e;
      this.drainClones(pkt, mark);
      this.drop(pkt, 'program_fault', dev.path, `${hook}: ${e.message}`, { id: e.prog.id, name: e.prog.name, pc: e.fault.pc });
      return TC_ACT_CONSUMED;
    } finally {
      copyRedirect(this.ri, skb.redirect);
      this.current = outer;
    }
  }

  /**
   * After a program returns: transmits the egress clones it made (cloneRedirect), in call
   * order, then acts on clone requests a helper without a datapath connection only recorded
   * (ifindex, flags pairs on the skb). The running skb's redirect record is saved in the
   * context meanwhile, since the clones' hooks share it.
   */
  private drainClones(pkt: Packet, mark: number): void {
    const queue = this.cloneQueue;
    const clones = pkt.skb.redirect.clones;
    if (queue.length === mark && clones.length === 0) return;
    const skb = pkt.skb;
    copyRedirect(this.ri, skb.redirect);
    const outer = this.current;
    this.current = pkt;
    try {
      if (clones.length !== 0) {
        const pairs = clones.splice(0, clones.length);
        for (let i = 0; i + 1 < pairs.length; i += 2) this.cloneRedirect(pairs[i]!, pairs[i + 1]!);
      }
      // the clones' own programs may queue more: those are sent when each of them returns
      const mine = queue.splice(mark, queue.length - mark);
      for (let i = 0; i < mine.length; i++) this.txNested(mine[i]!.clone, mine[i]!.dev);
    } finally {
      this.current = outer;
      copyRedirect(skb.redirect, this.ri);
    }
  }

  private cloneOf(pkt: Packet): Packet {
    const src = pkt.skb;
    const c = this.create('clone', src.buf.subarray(src.data, src.tail));
    const skb = c.skb;
    const shift = skb.data - src.data;
    const move = (off: number): number => (off < 0 ? off : off + shift);
    skb.macHeader = move(src.macHeader);
    skb.networkHeader = move(src.networkHeader);
    skb.transportHeader = move(src.transportHeader);
    skb.macLen = src.macLen;
    skb.encapsulation = src.encapsulation;
    skb.innerMacHeader = move(src.innerMacHeader);
    skb.innerNetworkHeader = move(src.innerNetworkHeader);
    skb.innerTransportHeader = move(src.innerTransportHeader);
    skb.innerProtocol = src.innerProtocol;
    skb.protocol = src.protocol;
    skb.pktType = src.pktType;
    skb.mark = src.mark;
    skb.priority = src.priority;
    skb.tcIndex = src.tcIndex;
    // skb->cb (qdisc_skb_cb: tc_classid, pkt_len, the program's cb[]) is copied whole
    skb.tcClassid = src.tcClassid;
    skb.wireLen = src.wireLen;
    skb.cb.set(src.cb);
    skb.queueMapping = src.queueMapping;
    skb.hash = src.hash;
    skb.l4Hash = src.l4Hash;
    skb.swHash = src.swHash;
    skb.vlanPresent = src.vlanPresent;
    skb.vlanTci = src.vlanTci;
    skb.vlanProto = src.vlanProto;
    skb.gsoSegs = src.gsoSegs;
    skb.gsoSize = src.gsoSize;
    skb.gsoType = src.gsoType;
    skb.ipSummed = src.ipSummed;
    skb.csum = src.csum;
    skb.csumLevel = src.csumLevel;
    skb.csumStart = src.csumStart === 0 ? 0 : src.csumStart + shift;
    skb.csumOffset = src.csumOffset;
    skb.ifindex = src.ifindex;
    skb.ingressIfindex = src.ingressIfindex;
    skb.napiId = src.napiId;
    skb.tcAtIngress = src.tcAtIngress;
    skb.tstamp = src.tstamp;
    skb.tstampType = src.tstampType;
    skb.hwtstamp = src.hwtstamp;
    // skb_dst_copy: a tunnel key set with set_tunnel_key travels with the clone
    if (src.tunnel.present) skb.tunnel.copyFrom(src.tunnel);
    c.dev = pkt.dev;
    c.rounds = pkt.rounds;
    return c;
  }

  // ------------------------------------------------------------------ transmit

  /** __dev_queue_xmit: data at the MAC header. Returns NET_XMIT_* or a negative errno. */
  xmit(pkt: Packet, dev: NetDevice): number {
    const skb = pkt.skb;
    pkt.dev = dev;
    skb.ifindex = dev.ifindex;
    skb.macHeader = skb.data;
    skb.tcAtIngress = false;
    const chain = this.tcx.programs(dev, 'egress');
    const q = this.classic.qdisc(dev);
    if (chain.length > 0 || q) {
      skb.wireLen = skb.len;
      // sch_handle_egress: bpf_net_ctx_set, a fresh context unless inside one (softirq, a redirect)
      if (this.ctxDepth++ === 0) this.ri.clear();
      try {
        const verdict = this.tcRun(pkt, dev, 'egress', chain, q);
        switch (verdict) {
          case TC_ACT_REDIRECT:
            this.doRedirect(pkt);
            return NET_XMIT_SUCCESS;
          case TC_ACT_SHOT:
            this.drop(pkt, 'tc_egress', dev.path);
            return NET_XMIT_DROP;
          case TC_ACT_STOLEN:
          case TC_ACT_QUEUED:
          case TC_ACT_TRAP:
            this.hold(pkt, dev.path, `tc egress verdict ${verdict}`);
            return NET_XMIT_SUCCESS;
          case TC_ACT_CONSUMED:
            return NET_XMIT_SUCCESS;
        }
      } finally {
        this.ctxDepth--;
      }
    }
    if (!hasCarrier(dev)) {
      // dev_deactivate left the noop qdisc: noop_enqueue counts and drops (measured: QDISC_DROP)
      dev.stats.txDropped++;
      this.drop(pkt, NOOP_QDISC_DROP, dev.path, dev.up ? `noop qdisc: no carrier (veth peer ${dev.peer?.path ?? '(none)'} is down)` : 'noop qdisc: the device is down');
      return NET_XMIT_CN;
    }
    if (this.recursion > XMIT_RECURSION_LIMIT) {
      // __dev_queue_xmit's recursion_alert (measured: tx_dropped +1, RECURSION_LIMIT)
      dev.stats.txDropped++;
      this.drop(pkt, RECURSION_ALERT_DROP, dev.path, 'dev_queue_xmit nested too deep (recursion alert)');
      return -ERRNO.ENETDOWN;
    }
    this.recursion++;
    try {
      this.capture.egress?.(dev, skb.buf.subarray(skb.data, skb.tail), pkt);
      return this.hardXmit(pkt, dev);
    } finally {
      this.recursion--;
    }
  }

  /** ndo_start_xmit of each device kind. */
  private hardXmit(pkt: Packet, dev: NetDevice): number {
    const skb = pkt.skb;
    const len = skb.len;
    switch (dev.kind) {
      case 'wire':
        dev.stats.txPackets++;
        dev.stats.txBytes += len;
        this.capture.wire?.(dev, skb.buf.subarray(skb.data, skb.tail), pkt);
        this.finish(pkt, 'wire', dev.path);
        return NET_XMIT_SUCCESS;
      case 'loopback':
        dev.stats.txPackets++;
        dev.stats.txBytes += len;
        this.netifRx(pkt, dev);
        return NET_XMIT_SUCCESS;
      case 'veth': {
        // veth_xmit -> veth_forward_skb -> __dev_forward_skb (MTU checked), then the peer's backlog.
        const peer = dev.peer;
        if (!peer) {
          // unreachable: xmit() found no carrier (a veth without a peer does not exist)
          dev.stats.txDropped++;
          this.drop(pkt, 'dev_down', dev.path, 'veth without a peer');
          return NET_XMIT_DROP;
        }
        if (len > peer.mtu + ETH_HLEN + VLAN_HLEN) {
          dev.stats.txDropped++;
          this.drop(pkt, 'pkt_too_big', dev.path, `${len} bytes > peer ${peer.path} MTU ${peer.mtu} + ${ETH_HLEN + VLAN_HLEN}`);
          return NET_XMIT_DROP;
        }
        dev.stats.txPackets++;
        dev.stats.txBytes += len;
        scrub(skb, peer.ns !== dev.ns);
        skb.priority = 0;
        this.netifRx(pkt, peer);
        return NET_XMIT_SUCCESS;
      }
    }
  }

  // ------------------------------------------------------------------ redirect

  /** skb_do_redirect: reads and clears the request; returns 0, -EAGAIN (peer round) or an error. */
  private doRedirect(pkt: Packet): number {
    const skb = pkt.skb;
    const req = skb.redirect;
    const kind = req.kind;
    const ifindex = req.ifindex;
    const flags = req.flags;
    // skb_do_redirect clears tgt_index and flags of the context's redirect info
    this.ri.set('none', 0, 0);
    const from = pkt.dev;
    const dev = kind === 'none' ? undefined : from.ns.byIfindex.get(ifindex);
    if (!dev) {
      req.set('none', 0, 0);
      this.drop(pkt, 'redirect_no_device', from.path, kind === 'none' ? 'TC_ACT_REDIRECT without a redirect target' : `no ifindex ${ifindex} in netns ${from.ns.name}`);
      return -ERRNO.EINVAL;
    }
    if (kind === 'peer') {
      req.set('none', 0, 0);
      const peer = dev.kind === 'veth' ? dev.peer : null;
      let why = '';
      if (!skb.tcAtIngress) why = 'redirect_peer used at egress';
      else if (!peer) why = `${dev.path} has no peer`;
      else if (!peer.up) why = `peer ${peer.path} is down`;
      else if (peer.ns === from.ns) why = `peer ${peer.path} is in the same netns`;
      if (why || !peer) {
        this.drop(pkt, 'redirect_peer_invalid', from.path, why);
        return -ERRNO.EINVAL;
      }
      pkt.dev = peer;
      peer.stats.rxPackets++;
      peer.stats.rxBytes += skb.len;
      scrub(skb, false);
      return -ERRNO.EAGAIN;
    }
    if (kind === 'neigh') {
      const nh = req.neigh.present ? { family: req.neigh.family, addr: req.neigh.addr.slice() } : null;
      req.set('none', 0, 0);
      return redirectNeigh(this, pkt, dev, nh);
    }
    req.set('none', 0, 0);
    return this.redirectCommon(pkt, dev, flags);
  }

  /** __bpf_redirect_common: BPF_F_INGRESS -> dev_forward_skb_nomtu, else __bpf_tx_skb. */
  private redirectCommon(pkt: Packet, dev: NetDevice, flags: number): number {
    const skb = pkt.skb;
    if (skb.macHeader >= skb.networkHeader || skb.len === 0) {
      this.drop(pkt, 'redirect_no_mac', pkt.dev.path, 'no link-layer header (mac_header >= network_header)');
      return -ERRNO.ERANGE;
    }
    if (flags & BPF_F_INGRESS) {
      if (!dev.up) {
        dev.stats.rxDropped++;
        this.drop(pkt, 'dev_down', dev.path, 'ingress redirect into a device that is down');
        return NET_RX_DROP;
      }
      scrub(skb, dev.ns !== pkt.dev.ns);
      skb.priority = 0;
      this.netifRx(pkt, dev);
      return NET_RX_SUCCESS;
    }
    return this.txNested(pkt, dev);
  }

  /** __bpf_tx_skb / bpf_out_neigh_*: dev_queue_xmit one level deeper, refused past the limit. */
  txNested(pkt: Packet, dev: NetDevice): number {
    if (this.recursion > XMIT_RECURSION_LIMIT) {
      this.drop(pkt, 'xmit_recursion', pkt.dev.path, `redirect to ${dev.path}: xmit recursion limit ${XMIT_RECURSION_LIMIT}`);
      return -ERRNO.ENETDOWN;
    }
    const skb = pkt.skb;
    if (skb.tstampType === SKB_CLOCK_REALTIME) skb.tstamp = 0n;
    this.recursion++;
    try {
      return this.xmit(pkt, dev);
    } finally {
      this.recursion--;
    }
  }
}

/** netif_carrier_ok: a veth has carrier while both ends are up; other kinds while up. */
function hasCarrier(dev: NetDevice): boolean {
  if (!dev.up) return false;
  return dev.kind !== 'veth' || (dev.peer !== null && dev.peer.up);
}

/** Redirect info from one record to another (bpf_redirect_info <-> the skb's record). */
function copyRedirect(to: RedirectRequest, from: RedirectRequest): void {
  to.kind = from.kind;
  to.ifindex = from.ifindex;
  to.flags = from.flags;
  const n = to.neigh;
  const m = from.neigh;
  n.present = m.present;
  n.family = m.family;
  const w = n.words;
  const v = m.words;
  w[0] = v[0]!;
  w[1] = v[1]!;
  w[2] = v[2]!;
  w[3] = v[3]!;
}

/** skb_scrub_packet: xnet (crossing namespaces) also clears the mark and the timestamp. */
function scrub(skb: Skb, xnet: boolean): void {
  skb.pktType = PACKET_HOST;
  skb.ingressIfindex = 0;
  skb.tunnel.clear();
  if (!xnet) return;
  skb.mark = 0;
  if (skb.tstampType === SKB_CLOCK_REALTIME) skb.tstamp = 0n;
}
