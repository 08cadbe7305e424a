// clone-redirect.test.ts: bpf_clone_redirect (net/core/filter.c) takes the clone and sends it
// during the helper call and returns the transmit's result, as measured on the kernel
// (test/fixtures/datapath/kernel-review-experiments.json, scripts/datapath-review-experiments.sh):
// real asm programs through the simulator, the helper layer and the datapath.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenario } from '../../../src/testing/index.js';
import { prog, testFrame, vethPair } from './stubs.js';

const kernel = JSON.parse(readFileSync(new URL('../../fixtures/datapath/kernel-review-experiments.json', import.meta.url), 'utf8'));

/** clone_redirect(skb, 4 = vc, FLAGS), then *(u8 *)(data + 0) = 0xaa; returns the clone's result. */
const cloneThenWrite = (flags: number) => `
  r6 = r1
  r2 = 4
  r3 = ${flags}
  call 13
  r7 = r0
  r1 = 170
  *(u8 *)(r10 - 8) = r1
  r1 = r6
  r2 = 0
  r3 = r10
  r3 += -8
  r4 = 1
  r5 = 0
  call 9
  r0 = r7
  exit`;

/** eth0 (port, ifindex 2) -> program clones to the veth vc (4), whose peer vd (3) shows what arrived. */
function topology(o: { vcUp?: boolean; flags?: number; clsact?: boolean; extra?: Record<string, { asm: string }> } = {}) {
  return scenario({
    namespaces: {
      init: {
        devices: {
          eth0: { kind: 'wire', mac: '02:00:00:00:00:0a', clsact: o.clsact ?? false },
          vc: { kind: 'veth', peer: 'init/vd', up: o.vcUp ?? true, clsact: true },
          vd: { kind: 'veth', peer: 'init/vc' },
        },
      },
    },
    programs: { clone: { asm: cloneThenWrite(o.flags ?? 0) }, ...(o.extra ?? {}) },
  });
}

const frame = { eth: { dst: '02:00:00:00:00:0a', src: '02:00:00:00:00:01' }, ipv4: { src: '192.168.1.100', dst: '192.168.1.10' }, udp: { sport: 1, dport: 2 }, payload: 'hello' };

describe('bpf_clone_redirect: skb_clone during the call', () => {
  it(`returns the transmit result at once: ${kernel.clone_up.ret} (NET_XMIT_SUCCESS) to a device that is up`, () => {
    const t = topology();
    t.attach('eth0', 'ingress', 'clone');
    t.inject('eth0', frame);
    expect(t.verdicts('clone')).toEqual({ ok: 1 }); // r0 = the helper's return value
    expect(t.captured('vd', 'rx')).toHaveLength(1);
  });

  it(`later writes to the original do not reach the clone (first byte ${kernel.clone_up.seen_first_byte}, not 0xaa)`, () => {
    const t = topology();
    t.attach('eth0', 'ingress', 'clone');
    const sent = t.inject('eth0', frame);
    const [clone] = t.captured('vd', 'rx');
    expect(clone![0]).toBe(kernel.clone_up.seen_first_byte);
    expect(sent.some((f) => f.origin === 'clone')).toBe(true);
  });

  it('a cls_bpf filter at ingress clones the frame with its Ethernet header (data at the MAC header during the call)', () => {
    const t = topology({ clsact: true });
    expect(t.filter('eth0', 'ingress', 'clone')).toBe('ok');
    t.inject('eth0', frame);
    const [clone] = t.captured('vd', 'rx');
    const [orig] = t.captured('eth0', 'rx');
    // the kernel's clone of a 60-byte frame arrives as 60 bytes (seen_len), header included
    expect(kernel.clone_up.seen_len).toBe(60);
    expect(clone!.length).toBe(orig!.length);
    expect(Array.from(clone!.subarray(0, 6))).toEqual([2, 0, 0, 0, 0, 0x0a]);
  });

  it(`to a device that is down: the noop qdisc drops it, tx_dropped +${kernel.clone_down.target_tx_dropped}, returns ${kernel.clone_down.ret} (NET_XMIT_CN)`, () => {
    const t = topology({ vcUp: false });
    t.attach('eth0', 'ingress', 'clone');
    const fates = t.inject('eth0', frame);
    expect(kernel.clone_down.ret).toBe(2);
    expect(t.verdicts('clone')).toEqual({ shot: 1 }); // r0 = 2
    expect(t.machine.device('init/vc').stats.txDropped).toBe(kernel.clone_down.target_tx_dropped);
    expect(fates.find((f) => f.origin === 'clone')).toMatchObject({ outcome: 'dropped', where: 'init/vc' });
  });

  it(`with BPF_F_INGRESS into a device that is down: returns ${kernel.clone_ingress_down.ret} (NET_RX_DROP), rx_dropped +${kernel.clone_ingress_down.target_rx_dropped}`, () => {
    const t = topology({ vcUp: false, flags: 1 });
    t.attach('eth0', 'ingress', 'clone');
    t.inject('eth0', frame);
    expect(t.verdicts('clone')).toEqual({ reclassify: 1 }); // r0 = 1
    expect(t.machine.device('init/vc').stats.rxDropped).toBe(kernel.clone_ingress_down.target_rx_dropped);
  });

  it('an egress clone to a device with egress programs is sent when the program returns, and they see the bytes of call time', () => {
    // vc egress reads the clone's first byte into r0: 2 (the MAC) -> "shot", 0xaa would be "other"
    const t = topology({ extra: { first: { asm: 'r0 = *(u32 *)(r1 + 76)\nr0 = *(u8 *)(r0 + 0)\nexit' } } });
    // (r1 + 76) is __sk_buff data; the verifier-free asm reads the first byte directly
    t.attach('vc', 'egress', 'first');
    t.attach('eth0', 'ingress', 'clone');
    t.inject('eth0', frame);
    expect(t.verdicts('first')).toEqual({ shot: 1 });
    // the clone's return value assumes the target's programs pass it (the kernel would say 1 here)
    expect(t.verdicts('clone')).toEqual({ ok: 1 });
  });

  it("clones made by the clone's own egress program are sent too", () => {
    const t = scenario({
      namespaces: {
        init: {
          devices: {
            eth0: { kind: 'wire', mac: '02:00:00:00:00:0a' },
            eth1: { kind: 'wire' },
            eth2: { kind: 'wire' },
          },
        },
      },
      programs: {
        to1: { asm: 'r2 = 3\nr3 = 0\ncall 13\nr0 = 0\nexit' },
        to2: { asm: 'r2 = 4\nr3 = 0\ncall 13\nr0 = 0\nexit' },
      },
    });
    t.attach('eth0', 'ingress', 'to1');
    t.attach('eth1', 'egress', 'to2');
    const fates = t.inject('eth0', frame);
    expect(fates.filter((f) => f.origin === 'clone').map((f) => f.where).sort()).toEqual(['init/eth1', 'init/eth2']);
    expect(t.verdicts('to2')).toEqual({ ok: 1 });
    expect(t.report().accounting.balanced).toBe(true);
  });

  it('a clone sent during the call (target without egress programs) leaves the queued clones of the running program alone', () => {
    const t = scenario({
      namespaces: {
        init: {
          devices: {
            eth0: { kind: 'wire', mac: '02:00:00:00:00:0a' },
            eth1: { kind: 'wire' },
            eth2: { kind: 'wire', clsact: true },
          },
        },
      },
      programs: {
        both: { asm: 'r6 = r1\nr2 = 3\nr3 = 0\ncall 13\nr1 = r6\nr2 = 4\nr3 = 0\ncall 13\nr0 = 0\nexit' },
        pass: { asm: 'r0 = 0\nexit' },
      },
    });
    t.attach('eth0', 'ingress', 'both');
    t.attach('eth1', 'egress', 'pass'); // the clone to eth1 waits for `both` to return
    expect(t.filter('eth2', 'ingress', 'pass')).toBe('ok'); // eth2 has a clsact, nothing at egress
    const fates = t.inject('eth0', frame);
    expect(fates.filter((f) => f.origin === 'clone').map((f) => f.where)).toEqual(['init/eth2', 'init/eth1']);
    expect(t.verdicts('pass')).toEqual({ ok: 1 });
  });

  it('the clone carries the metadata of call time (mark, cb); later changes stay with the original', () => {
    const { dp, tcx, tcxo0, tcxo1, world } = vethPair();
    const [x0] = world.addVeth({ ns: 'init', name: 'x0' }, { ns: 'init', name: 'x1' });
    const seen: number[] = [];
    tcx.set(x0, 'egress', [prog('x0_egress', (skb) => (seen.push(skb.mark, skb.cb[0]!, skb.wireLen), 0))]);
    tcx.set(tcxo1, 'ingress', [
      prog('clone', (skb) => {
        skb.mark = 7;
        skb.cb[0] = 9;
        const r = dp.cloneRedirect(x0.ifindex, 0);
        skb.mark = 8;
        skb.cb[0] = 10;
        return r;
      }),
    ]);
    dp.send(tcxo0, testFrame());
    dp.run();
    // wire_len is set again by the target's __dev_queue_xmit (qdisc_pkt_len_init): the whole frame
    expect(seen).toEqual([7, 9, testFrame().length]);
  });
});
