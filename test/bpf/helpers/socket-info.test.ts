// socket-info.test.ts: the socket, cgroup, realm and namespace helpers answer from the skb's
// socket and the HelperEnv as documented in src/bpf/helpers/socket-info.ts.
import { describe, expect, it } from 'vitest';
import {
  BPF_FUNC_get_cgroup_classid as CLASSID,
  BPF_FUNC_get_netns_cookie as NETNS,
  BPF_FUNC_get_route_realm as REALM,
  BPF_FUNC_get_socket_cookie as COOKIE,
  BPF_FUNC_get_socket_uid as UID,
  BPF_FUNC_skb_cgroup_id as CGROUP,
} from '../../../src/bpf/helpers/socket-info.js';
import { HelperBench } from './harness.js';

const FRAME = '02000000000202000000000108004500002112344000401114960a0000010a00000214e90035000d86cb7175657279';

describe('with the test-run dummy socket', () => {
  it('cookie is assigned once from the env counter and then stable', () => {
    const t = new HelperBench(FRAME);
    t.env.nextSocketCookie = 4097n;
    expect(t.call(COOKIE)).toBe(4097n);
    expect(t.call(COOKIE)).toBe(4097n);
    expect(t.env.nextSocketCookie).toBe(4098n);
  });

  it('uid 0, cgroup id 1 (root), classid 0, realm 0, netns cookie from the env', () => {
    const t = new HelperBench(FRAME);
    expect(t.call(UID)).toBe(0n);
    expect(t.call(CGROUP)).toBe(1n);
    expect(t.call(CLASSID)).toBe(0n);
    expect(t.call(REALM)).toBe(0n);
    expect(t.call(NETNS)).toBe(1n);
    t.env.netnsCookie = 9n;
    expect(t.call(NETNS)).toBe(9n);
    expect(t.callRaw(NETNS, 0)).toBe(1n); // NULL ctx: init_net
  });
});

describe('without a socket', () => {
  it('cookie 0, overflowuid, cgroup 0, init_net', () => {
    const t = new HelperBench(FRAME);
    t.skb.sk = null;
    t.env.netnsCookie = 9n;
    expect(t.call(COOKIE)).toBe(0n);
    expect(t.call(UID)).toBe(65534n);
    expect(t.call(CGROUP)).toBe(0n);
    expect(t.call(NETNS)).toBe(1n);
  });
});
