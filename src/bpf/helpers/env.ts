// env.ts: what helpers see of the world during a run, through `vm.env`. The simulator builds one
// HelperEnv per Simulator and updates `skb`/`cpu`/`trace` per run, so helpers allocate nothing.
import type { SimClock } from '../../sim/clock.js';
import type { Prng } from '../../sim/prng.js';
import type { BpfMap } from '../maps/map.js';
import type { Skb } from '../skb/skb.js';
import type { EventStream } from '../trace/event-stream.js';
import type { Executable } from '../vm.js';

/** A live program as helpers see it (tail calls, traces). */
export interface HelperProg extends Executable {
  readonly id: number;
  readonly type: number;
  /** Times run, each tail call into it included (the simulator's Program counts the rest). */
  runCount: number;
}

/** One line of trace_pipe output, or an event record from perf/ringbuf outputs. */
export interface PrintkSink {
  printk(line: string): void;
}

export interface HelperEnv {
  /** The packet of this run (tc programs always have one). */
  skb: Skb;
  /** The simulated CPU this run executes on. */
  cpu: number;
  readonly cpus: number;
  readonly clock: SimClock;
  readonly prng: Prng;
  readonly printk: PrintkSink;
  /** Name of the running program (for trace_printk's task column and traces). */
  progName: string;
  /** Live maps by id: a map pointer in a register is (TAG_MAP_PTR, map id). */
  readonly maps: ReadonlyMap<number, BpfMap>;
  /** Live programs by id (prog arrays hold ids). */
  readonly progs: ReadonlyMap<number, HelperProg>;
  /**
   * Whether `ifindex` names a device in the skb's namespace (dev_get_by_index), for
   * clone_redirect's check. Absent: only loopback (1) and the skb's own device exist.
   */
  devExists?: (ifindex: number) => boolean;
  /**
   * bpf_clone_redirect in a datapath: copies `skb` now (bytes and metadata), sends the copy to
   * `ifindex` (BPF_F_INGRESS in `flags`: into its receive path) and returns what the helper
   * returns. Absent (BPF_PROG_TEST_RUN): the request is only recorded on skb.redirect.clones.
   */
  cloneRedirect?: (skb: Skb, ifindex: number, flags: number) => number;
  /** net->net_cookie of the namespace the run is in (get_netns_cookie); absent: 1 (init_net). */
  netnsCookie?: bigint;
  /**
   * The network the running packet is in (the datapath sets it per hook run). Absent under
   * BPF_PROG_TEST_RUN: the skb sits on loopback in a namespace with no routes.
   */
  net?: HelperNet;
  /** Where perf_event_output and ring buffer records go (the user-space reader). */
  readonly events?: EventStream;
  /** The next socket cookie to hand out (the kernel's sock_gen_cookie counter); absent: 1. */
  nextSocketCookie?: bigint;
}

/** What net-aware helpers (fib_lookup, check_mtu) ask of the packet's namespace. */
export interface HelperNet {
  /** MTU of the device with `ifindex` in the skb's namespace (0 = the skb's own device), or undefined. */
  deviceMtu(ifindex: number): number | undefined;
  /** bpf_skb_fib_lookup on the skb's namespace; `params` is the program's struct, read and written in place. */
  fibLookup(params: Uint8Array, plen: number, flags: number, skb: Skb): number;
  /** net->net_cookie of the skb's namespace. */
  netnsCookie(): bigint;
}

export function envOf(vm: { env: unknown }): HelperEnv {
  return vm.env as HelperEnv;
}
