// datapath-net.ts: what net-aware helpers see during a datapath run: the running packet's
// device and namespace (dev_net(skb->dev)), for bpf_fib_lookup, bpf_check_mtu, clone_redirect
// (its device check, and the clone sent by the datapath during the call) and get_netns_cookie. Installed once per simulation; reads the datapath's
// current packet at call time, so nothing is set per packet.
import type { HelperNet } from '../bpf/helpers/env.js';
import type { Datapath } from '../netdev/datapath/datapath.js';
import { bpfSkbFibLookup } from '../netdev/stack/fib-lookup.js';
import type { Simulator } from './simulator.js';

export function connectDatapath(sim: Simulator, dp: Datapath): void {
  const dev = () => dp.currentPacket?.dev;
  const net: HelperNet = {
    deviceMtu: (ifindex) => {
      const d = dev();
      if (!d) return undefined;
      return ifindex === 0 ? d.mtu : d.ns.byIfindex.get(ifindex)?.mtu;
    },
    fibLookup: (params, plen, flags, skb) => {
      const d = dev();
      return d ? bpfSkbFibLookup(d.ns, params, plen, flags, skb) : -22;
    },
    netnsCookie: () => BigInt(dev()?.ns.cookie ?? 1),
  };
  sim.env.net = net;
  sim.describeHook = (skb) => `${dev()?.path ?? '?'} ${skb.tcAtIngress ? 'ingress' : 'egress'}`;
  sim.env.devExists = (ifindex) => dev()?.ns.byIfindex.has(ifindex) ?? false;
  sim.env.cloneRedirect = (_skb, ifindex, flags) => dp.cloneRedirect(ifindex, flags);
}
