// socket.ts: the socket an skb may carry (skb->sk), as far as tc programs can see it through
// __sk_buff.sk (struct bpf_sock via PTR_TO_SOCK_COMMON). Test runs attach a dummy one whose
// family and addresses come from the packet's IP header (net/bpf/test_run.c).
import { AF_UNSPEC } from './constants.js';

/** TCP_CLOSE: the state of a socket that was never connected (the test-run dummy). */
export const TCP_CLOSE = 7;

export class SkbSocket {
  family = AF_UNSPEC;
  /** sk_bound_dev_if */
  boundDevIf = 0;
  /** skc_rcv_saddr (local) and skc_daddr (remote), network-order bytes */
  readonly rcvSaddr4 = new Uint8Array(4);
  readonly daddr4 = new Uint8Array(4);
  readonly rcvSaddr6 = new Uint8Array(16);
  readonly daddr6 = new Uint8Array(16);
  /** skc_num: local port, host order */
  num = 0;
  /** skc_dport: remote port, host order here (the kernel keeps it big-endian) */
  dport = 0;
  state = TCP_CLOSE;
  /** sk_rx_queue_mapping; 0xffff (NO_QUEUE_MAPPING) reads as -1 */
  rxQueueMapping = 0xffff;
  /** sk_cookie for get_socket_cookie (0 = not assigned yet) */
  cookie = 0n;

  clear(): void {
    this.family = AF_UNSPEC;
    this.boundDevIf = 0;
    this.rcvSaddr4.fill(0);
    this.daddr4.fill(0);
    this.rcvSaddr6.fill(0);
    this.daddr6.fill(0);
    this.num = this.dport = 0;
    this.state = TCP_CLOSE;
    this.rxQueueMapping = 0xffff;
    this.cookie = 0n;
  }
}
