// skb.test.ts: the Skb buffer (headroom/tailroom, push/pull/put/trim, growth), per-packet reset
// without allocation, and eth_type_trans.
import { describe, expect, it } from 'vitest';
import {
  ETH_P_802_2,
  ETH_P_802_3,
  ETH_P_ARP,
  ETH_P_IP,
  PACKET_BROADCAST,
  PACKET_HOST,
  PACKET_MULTICAST,
  PACKET_OTHERHOST,
} from '../../src/bpf/skb/constants.js';
import { LOOPBACK_DEVICE, ethTypeTrans, type EthDevice } from '../../src/bpf/skb/eth-type-trans.js';
import { HEADER_UNSET, Skb } from '../../src/bpf/skb/skb.js';

const MAC = Uint8Array.from([2, 0, 0, 0, 0, 2]);
const DEV: EthDevice = { ifindex: 5, mac: MAC, broadcast: new Uint8Array(6).fill(0xff) };

function frame(dst: number[], type: number, payload: number[] = [0x45, 0, 0, 20]): Uint8Array {
  return Uint8Array.from([...dst, 2, 0, 0, 0, 0, 1, type >> 8, type & 0xff, ...payload]);
}

describe('Skb buffer', () => {
  it('loads a frame at the reserved headroom; region size is data_end', () => {
    const skb = new Skb();
    const f = frame([2, 0, 0, 0, 0, 2], ETH_P_IP);
    skb.load(f);
    expect(skb.data).toBe(64);
    expect(skb.len).toBe(f.length);
    expect(skb.region.size).toBe(skb.tail);
    expect(skb.bytes()).toEqual(f);
    expect(skb.wireLen).toBe(f.length);
    expect(skb.macHeader).toBe(HEADER_UNSET);
  });

  it('push/pull move data, put zero-fills and trim cuts, keeping region.size = tail', () => {
    const skb = new Skb().load(Uint8Array.from([1, 2, 3, 4]));
    skb.push(2);
    expect(skb.len).toBe(6);
    skb.pull(3);
    expect(Array.from(skb.bytes())).toEqual([2, 3, 4]);
    skb.buf[skb.tail] = 0xee;
    expect(skb.put(2)).toBe(skb.tail - 2);
    expect(Array.from(skb.bytes())).toEqual([2, 3, 4, 0, 0]);
    expect(skb.region.size).toBe(skb.tail);
    skb.trim(1);
    expect(Array.from(skb.bytes())).toEqual([2]);
    expect(skb.region.size).toBe(skb.tail);
    expect(() => skb.pull(2)).toThrow(RangeError);
  });

  it('push past the headroom throws; ensureHeadroom reallocates and shifts every offset', () => {
    const skb = new Skb(2048, 16).load(Uint8Array.from([9, 8, 7]));
    skb.macHeader = skb.data;
    skb.networkHeader = skb.data + 1;
    expect(() => skb.push(17)).toThrow(RangeError);
    const oldRegion = skb.region;
    expect(skb.ensureHeadroom(10)).toBe(false);
    expect(skb.ensureHeadroom(100)).toBe(true);
    expect(skb.region).not.toBe(oldRegion);
    expect(skb.headroom).toBeGreaterThanOrEqual(100);
    expect(skb.macHeader).toBe(skb.data);
    expect(skb.networkHeader).toBe(skb.data + 1);
    expect(Array.from(skb.bytes())).toEqual([9, 8, 7]);
    expect(skb.region.size).toBe(skb.tail);
    skb.push(100);
    expect(skb.len).toBe(103);
    // later frames keep the grown headroom
    skb.load(Uint8Array.from([1]));
    expect(skb.headroom).toBeGreaterThanOrEqual(100);
  });

  it('ensureTailroom grows the end of the buffer', () => {
    const skb = new Skb(64, 16).load(new Uint8Array(64));
    expect(skb.ensureTailroom(10_000)).toBe(true);
    skb.put(10_000);
    expect(skb.len).toBe(10_064);
  });

  it('reuse for the next packet keeps the buffer and resets every field', () => {
    const skb = new Skb();
    skb.load(frame([2, 0, 0, 0, 0, 2], ETH_P_IP));
    const buf = skb.buf;
    skb.mark = 7;
    skb.cb[3] = 1;
    skb.tstamp = 99n;
    skb.vlanPresent = true;
    skb.tunnel.present = true;
    skb.tunnel.optionsLen = 4;
    skb.redirect.set('peer', 4, 0);
    skb.redirect.clones.push(3, 0);
    skb.load(frame([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], ETH_P_ARP));
    expect(skb.buf).toBe(buf);
    expect([skb.mark, skb.cb[3], skb.tstamp, skb.vlanPresent]).toEqual([0, 0, 0n, false]);
    expect([skb.tunnel.present, skb.tunnel.optionsLen]).toEqual([false, 0]);
    expect([skb.redirect.kind, skb.redirect.ifindex, skb.redirect.clones.length]).toEqual(['none', 0, 0]);
  });

  it('a frame bigger than the buffer reallocates once', () => {
    const skb = new Skb(100, 64);
    skb.load(new Uint8Array(5000).fill(3));
    expect(skb.len).toBe(5000);
    expect(skb.bytes()[4999]).toBe(3);
    expect(skb.region.bytes).toBe(skb.buf);
  });

  it('holds 64 KiB frames by default', () => {
    const skb = new Skb();
    const buf = skb.buf;
    skb.load(new Uint8Array(65536));
    expect(skb.buf).toBe(buf);
  });
});

describe('ethTypeTrans', () => {
  const cases: Array<[string, number[], number, EthDevice, number]> = [
    ['own MAC', [2, 0, 0, 0, 0, 2], ETH_P_IP, DEV, PACKET_HOST],
    ['other unicast', [2, 0, 0, 0, 0, 3], ETH_P_IP, DEV, PACKET_OTHERHOST],
    ['broadcast', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff], ETH_P_IP, DEV, PACKET_BROADCAST],
    ['multicast', [1, 0, 0x5e, 0, 0, 1], ETH_P_IP, DEV, PACKET_MULTICAST],
    ['ff.. on loopback (zero broadcast address)', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff], ETH_P_IP, LOOPBACK_DEVICE, PACKET_MULTICAST],
    ['zero MAC on loopback', [0, 0, 0, 0, 0, 0], ETH_P_IP, LOOPBACK_DEVICE, PACKET_HOST],
  ];
  for (const [name, dst, type, dev, pkt] of cases) {
    it(`${name}: pkt_type ${pkt}`, () => {
      const skb = new Skb().load(frame(dst, type));
      const start = skb.data;
      expect(ethTypeTrans(skb, dev)).toBe(type);
      expect(skb.pktType).toBe(pkt);
      expect(skb.macHeader).toBe(start);
      expect(skb.data).toBe(start + 14);
      expect(skb.ifindex).toBe(dev.ifindex);
    });
  }

  it('length fields give 802.2, or 802.3 for Novell raw frames', () => {
    const skb = new Skb();
    expect(ethTypeTrans(skb.load(frame([2, 0, 0, 0, 0, 2], 0x0100, [0xaa, 0xaa])), DEV)).toBe(ETH_P_802_2);
    expect(ethTypeTrans(skb.load(frame([2, 0, 0, 0, 0, 2], 0x0100, [0xff, 0xff])), DEV)).toBe(ETH_P_802_3);
    expect(ethTypeTrans(skb.load(frame([2, 0, 0, 0, 0, 2], 0x0600, [])), DEV)).toBe(0x0600);
  });
});
