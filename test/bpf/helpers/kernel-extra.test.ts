// kernel-extra.test.ts: replays test/fixtures/helpers/helpers_extra.json (recorded from Linux
// 6.18 by test/fixtures/helpers/record.py) step by step through the helpers: adjust_room
// encap/decap and errors, QinQ pop, ECN marking bytes, csum_level/csum_update, tunnel keys and
// options, set_tstamp, socket info and the redirect family.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as change from '../../../src/bpf/helpers/change.js';
import * as csum from '../../../src/bpf/helpers/csum.js';
import * as meta from '../../../src/bpf/helpers/meta.js';
import * as redirect from '../../../src/bpf/helpers/redirect.js';
import * as sock from '../../../src/bpf/helpers/socket-info.js';
import * as tunnel from '../../../src/bpf/helpers/tunnel.js';
import { BPF_FUNC_skb_vlan_pop } from '../../../src/bpf/helpers/vlan.js';
import type { Skb } from '../../../src/bpf/skb/skb.js';
import { HelperBench, cbOut, markOut, type KernelRun } from './harness.js';

const FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'helpers', 'helpers_extra.json');
const RUNS = (JSON.parse(readFileSync(FILE, 'utf8')) as { runs: KernelRun[] }).runs;

const be16 = (v: number): number => ((v & 0xff) << 8) | (v >>> 8);
const packed = (s: Skb): number => ((s.vlanPresent ? 1 << 31 : 0) | (be16(s.vlanProto) << 16) | s.vlanTci) >>> 0;
const u32 = (v: bigint): number => Number(BigInt.asUintN(32, v));

type Prog = (t: HelperBench, cb: number[]) => { mark?: number; ret?: number };

const PROGS: Record<string, Prog> = {
  room_encap6: (t, cb) => {
    const grow = change.BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 | change.BPF_F_ADJ_ROOM_ENCAP_L4_UDP;
    cb[0] = t.callU32(change.BPF_FUNC_skb_adjust_room, 48, change.BPF_ADJ_ROOM_MAC, grow);
    cb[1] = t.skb.len;
    cb[2] = be16(t.skb.protocol);
    cb[3] = t.callU32(change.BPF_FUNC_skb_adjust_room, -48, change.BPF_ADJ_ROOM_MAC, change.BPF_F_ADJ_ROOM_DECAP_L3_IPV4);
    cb[4] = be16(t.skb.protocol);
    return {};
  },
  room_errors: (t, cb) => {
    const ROOM = change.BPF_FUNC_skb_adjust_room;
    const MAC = change.BPF_ADJ_ROOM_MAC;
    const V4 = change.BPF_F_ADJ_ROOM_ENCAP_L3_IPV4;
    cb[0] = t.callU32(ROOM, 20, MAC, V4 | change.BPF_F_ADJ_ROOM_ENCAP_L3_IPV6);
    cb[1] = t.callU32(ROOM, 40, MAC, V4 | change.BPF_F_ADJ_ROOM_ENCAP_L4_GRE | change.BPF_F_ADJ_ROOM_ENCAP_L4_UDP);
    cb[2] = t.callU32(ROOM, 40, MAC, BigInt(V4 | change.BPF_F_ADJ_ROOM_ENCAP_L2_ETH) | change.BPF_F_ADJ_ROOM_ENCAP_L2(10));
    cb[3] = t.callU32(ROOM, 8, change.BPF_ADJ_ROOM_NET, change.BPF_F_ADJ_ROOM_DECAP_L3_IPV4);
    cb[4] = t.callU32(ROOM, 0x1000, change.BPF_ADJ_ROOM_NET, 0);
    return {};
  },
  vlan_qinq: (t, cb) => {
    cb[0] = packed(t.skb);
    cb[1] = t.callU32(BPF_FUNC_skb_vlan_pop);
    cb[2] = packed(t.skb);
    cb[3] = t.skb.len;
    cb[4] = be16(t.skb.protocol);
    return {};
  },
  ecn: (t, cb) => {
    cb[0] = t.callU32(meta.BPF_FUNC_skb_ecn_set_ce);
    return {};
  },
  csum_misc: (t, cb) => {
    const L = csum.BPF_FUNC_csum_level;
    cb[0] = t.callU32(L, csum.BPF_CSUM_LEVEL_QUERY);
    t.call(L, csum.BPF_CSUM_LEVEL_INC);
    cb[1] = t.callU32(L, csum.BPF_CSUM_LEVEL_QUERY);
    t.call(L, csum.BPF_CSUM_LEVEL_INC);
    cb[2] = t.callU32(L, csum.BPF_CSUM_LEVEL_QUERY);
    cb[3] = t.callU32(csum.BPF_FUNC_csum_update, 5);
    cb[4] = t.callU32(L, 7);
    return { mark: t.callU32(csum.BPF_FUNC_l4_csum_replace, 40, 0, be16(0x1234), csum.BPF_F_MARK_MANGLED_0 | 2) };
  },
  tunnel_key: (t, cb) => {
    const k = new DataView(t.scratch.buffer, 0, 44);
    t.scratch.fill(0, 0, 100);
    k.setUint32(0, 42, true);
    k.setUint32(4, 0x0a010002, true);
    k.setUint32(28, 0x0a010001, true);
    t.scratch[20] = 0x10;
    t.scratch[21] = 64;
    cb[0] = t.callU32(tunnel.BPF_FUNC_skb_set_tunnel_key, { ptr: 0 }, 44, tunnel.BPF_F_DONT_FRAGMENT);
    cb[1] = t.callU32(tunnel.BPF_FUNC_skb_get_tunnel_key, { ptr: 50 }, 44, tunnel.BPF_F_TUNINFO_FLAGS);
    const g = new DataView(t.scratch.buffer, 50, 44);
    cb[2] = g.getUint32(4, true);
    cb[3] = g.getUint32(28, true);
    cb[4] = g.getUint32(0, true);
    return { mark: (t.scratch[70] | (t.scratch[71] << 8) | (g.getUint16(22, true) << 16)) >>> 0 };
  },
  tunnel_errs: (t, cb) => {
    t.scratch.fill(0xaa, 0, 44);
    const opt = t.put(100, '0102030405060708ffffffff');
    cb[0] = t.callU32(tunnel.BPF_FUNC_skb_get_tunnel_key, { ptr: 0 }, 44, 0);
    cb[1] = new DataView(t.scratch.buffer).getUint32(0, true);
    cb[2] = t.callU32(tunnel.BPF_FUNC_skb_set_tunnel_opt, opt, 8);
    t.scratch.fill(0, 0, 44);
    t.call(tunnel.BPF_FUNC_skb_set_tunnel_key, { ptr: 0 }, 44, 0);
    cb[3] = t.callU32(tunnel.BPF_FUNC_skb_get_tunnel_key, { ptr: 0 }, 44, tunnel.BPF_F_TUNINFO_IPV6);
    cb[4] = t.callU32(tunnel.BPF_FUNC_skb_set_tunnel_opt, opt, 6);
    let mark = (t.callU32(tunnel.BPF_FUNC_skb_set_tunnel_opt, opt, 8) << 16) >>> 0;
    mark |= t.callU32(tunnel.BPF_FUNC_skb_get_tunnel_opt, opt, 12) & 0xffff;
    if (new DataView(t.scratch.buffer).getUint32(108, true) === 0) cb[1] |= 0x100;
    return { mark: mark >>> 0 };
  },
  meta_misc: (t, cb) => {
    cb[0] = t.callU32(meta.BPF_FUNC_skb_set_tstamp, 0, 2);
    cb[1] = t.callU32(meta.BPF_FUNC_skb_set_tstamp, 5, 7);
    cb[2] = t.callU32(meta.BPF_FUNC_skb_set_tstamp, 1234, 1);
    cb[3] = t.callU32(sock.BPF_FUNC_get_socket_uid);
    cb[4] = t.callU32(sock.BPF_FUNC_get_route_realm);
    return { mark: t.callU32(sock.BPF_FUNC_get_cgroup_classid) };
  },
  redirects: (t, cb) => {
    cb[0] = t.callU32(redirect.BPF_FUNC_clone_redirect, 1, 0);
    cb[1] = t.callU32(redirect.BPF_FUNC_clone_redirect, 999, 0);
    cb[2] = t.callU32(redirect.BPF_FUNC_clone_redirect, 1, 2);
    cb[3] = u32(t.callRaw(redirect.BPF_FUNC_redirect_peer, 1, 1));
    cb[4] = u32(t.callRaw(redirect.BPF_FUNC_redirect_neigh, 1, t.put(200, new Uint8Array(20)), 8, 0));
    return { ret: u32(t.callRaw(redirect.BPF_FUNC_redirect_neigh, 1, 0, 0, 0)) };
  },
};

describe('kernel fixture helpers_extra', () => {
  it.each(RUNS)('$prog $data_in', (run) => {
    const t = new HelperBench(run.data_in);
    const cb = [0, 0, 0, 0, 0];
    const out = PROGS[run.prog](t, cb);
    for (let i = 0; i < 5; i++) expect(cb[i] >>> 0, `cb[${i}]`).toBe(cbOut(run, i));
    expect(out.mark ?? 0).toBe(markOut(run));
    expect(out.ret ?? 0).toBe(run.retval);
    expect(t.data).toBe(run.data_out);
    const tstamp = Buffer.from(run.ctx_out, 'hex').readBigUInt64LE(152);
    expect(t.skb.tstamp).toBe(tstamp);
  });
});

describe('kernel fixture helpers_extra, end to end (the clang-built object in the simulator)', () => {
  it('every run matches retval, data_out and ctx_out', async () => {
    const { loadObjectFile } = await import('../../../src/bpf/elf/index.js');
    const { Simulator } = await import('../../../src/sim/simulator.js');
    const { testRun } = await import('../../../src/sim/test-run.js');
    const sim = new Simulator();
    const obj = sim.loadObject(loadObjectFile(FILE.replace(/\.json$/, '.o')));
    for (const run of RUNS) {
      const res = testRun(sim, obj.program(run.prog), { dataIn: Buffer.from(run.data_in, 'hex') });
      const what = `${run.prog} ${run.data_in.slice(0, 28)}`;
      expect(res.fault?.describe(), what).toBeUndefined();
      expect(res.retval, what).toBe(run.retval);
      expect(Buffer.from(res.dataOut).toString('hex'), what).toBe(run.data_out);
      expect(Buffer.from(res.ctxOut).toString('hex'), what).toBe(run.ctx_out);
    }
  });
});
