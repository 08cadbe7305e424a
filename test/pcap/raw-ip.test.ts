import { describe, expect, it } from 'vitest';
import { SimError } from '../../src/errors.js';
import { buildEthIpv4Udp, buildEthIpv6Udp, parseEthernet, summarize } from '../../src/packet/index.js';
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_RAW,
  SYNTH_DST_MAC,
  synthesizeEthernet,
  toEthernetFrame,
} from '../../src/pcap/index.js';

const v4 = buildEthIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, payload: 4 });
const v6 = buildEthIpv6Udp({ src: 'fd00::1', dst: 'fd00::2', sport: 1, dport: 2, payload: 4 });

describe('raw IP to Ethernet', () => {
  it('picks the ethertype from the link type or the version nibble', () => {
    for (const [lt, frame] of [
      [LINKTYPE_RAW, v4],
      [LINKTYPE_RAW, v6],
      [LINKTYPE_IPV4, v4],
      [LINKTYPE_IPV6, v6],
      [12, v4],
      [14, v6],
    ] as const) {
      const eth = synthesizeEthernet(lt, frame.subarray(14));
      const h = parseEthernet(eth);
      expect(h.kind === 'ethernet' && h.etherType).toBe(frame === v4 ? 0x0800 : 0x86dd);
      expect(eth.subarray(14)).toEqual(frame.subarray(14));
      expect(eth.subarray(0, 6)).toEqual(SYNTH_DST_MAC);
      expect(summarize(eth)).toBe(summarize(frame));
    }
  });

  it('writes into a caller buffer without allocating, and passes Ethernet through', () => {
    const out = new Uint8Array(2048);
    expect(toEthernetFrame(LINKTYPE_RAW, v4.subarray(14), out, { dst: Uint8Array.of(1, 2, 3, 4, 5, 6) })).toBe(v4.length);
    expect(out.subarray(0, 6)).toEqual(Uint8Array.of(1, 2, 3, 4, 5, 6));
    expect(toEthernetFrame(LINKTYPE_ETHERNET, v6, out)).toBe(v6.length);
    expect(out.subarray(0, v6.length)).toEqual(v6);
  });

  it('refuses other link types and non-IP bytes', () => {
    expect(() => toEthernetFrame(113, v4, new Uint8Array(100))).toThrow(SimError);
    expect(() => toEthernetFrame(LINKTYPE_RAW, Uint8Array.of(0x20, 0), new Uint8Array(100))).toThrow(
      /raw IP record does not start with an IPv4 or IPv6 header \(first byte 0x20\)/,
    );
  });
});
