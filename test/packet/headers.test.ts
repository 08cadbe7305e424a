import { describe, expect, it } from 'vitest';
import * as P from '../../src/packet/index.js';
import { SUMMARY_CASES } from '../fixtures/pcap/cases.js';

const byName = new Map(SUMMARY_CASES);
const frame = (name: string) => byName.get(name)!;

function must<T extends { kind: string }, K extends T['kind']>(r: T, kind: K): Extract<T, { kind: K }> {
  expect(r.kind).toBe(kind);
  return r as Extract<T, { kind: K }>;
}

describe('ethernet and 802.1Q/QinQ', () => {
  it('decodes plain, tagged and double-tagged frames', () => {
    const plain = must(P.parseEthernet(frame('udp')), 'ethernet');
    expect(plain).toMatchObject({ dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01', etherType: P.ETH_P_IP, vlans: [], payloadOffset: 14 });
    const one = must(P.parseEthernet(frame('vlan')), 'ethernet');
    expect(one.vlans).toEqual([{ tpid: 0x8100, pcp: 0, dei: false, vid: 100 }]);
    expect(one.payloadOffset).toBe(18);
    const two = must(P.parseEthernet(frame('qinq')), 'ethernet');
    expect(two.vlans.map((v) => [v.tpid, v.vid])).toEqual([
      [0x88a8, 10],
      [0x8100, 20],
    ]);
    expect(two.etherType).toBe(P.ETH_P_IP);
    expect(two.headerLength).toBe(22);
  });

  it('writes what it reads, priority and DEI included', () => {
    const b = new Uint8Array(22);
    const n = P.writeEthernet(b, 0, {
      dst: 'ff:ff:ff:ff:ff:ff',
      src: '02:aa:bb:cc:dd:ee',
      etherType: P.ETH_P_IPV6,
      vlans: [{ tpid: P.ETH_P_8021AD, vid: 4094, pcp: 5, dei: true }, { vid: 1 }],
    });
    expect(n).toBe(22);
    const h = must(P.parseEthernet(b), 'ethernet');
    expect(h.vlans[0]).toEqual({ tpid: 0x88a8, pcp: 5, dei: true, vid: 4094 });
    expect(h.src).toBe('02:aa:bb:cc:dd:ee');
    const v = must(P.parseVlan(b, 12), 'vlan');
    expect(v.etherType).toBe(0x8100);
  });

  it('reports a truncated tag stack', () => {
    expect(P.parseEthernet(frame('qinq').subarray(0, 18))).toEqual({ kind: 'truncated', layer: 'ethernet', offset: 0, need: 22, have: 18 });
  });
});

describe('arp', () => {
  it('decodes request and reply', () => {
    const req = must(P.parseArp(frame('arp request'), 14), 'arp');
    expect(req).toMatchObject({ op: P.ARPOP_REQUEST, spa: '10.0.0.1', tpa: '10.0.0.2', tha: '00:00:00:00:00:00', length: 28 });
    const rep = must(P.parseArp(frame('arp reply'), 14), 'arp');
    expect(rep).toMatchObject({ op: P.ARPOP_REPLY, sha: '02:00:00:00:00:02', tha: '02:00:00:00:00:01' });
    expect(P.parseArp(frame('arp reply'), 14, 40).kind).toBe('truncated');
  });
});

describe('ipv4', () => {
  it('decodes the fields, options and checksum', () => {
    const f = frame('ip options');
    const ip = must(P.parseIpv4(f, 14), 'ipv4');
    expect(ip).toMatchObject({ headerLength: 24, ttl: 64, protocol: P.IPPROTO_UDP, src: '10.0.0.1', dst: '10.0.0.2', checksumOk: true });
    expect(ip.options).toEqual([{ type: 148, length: 4, offset: 34 }]);
    expect(ip.payloadOffset).toBe(38);
    const g = f.slice();
    g[22] = 1; // ttl
    expect(must(P.parseIpv4(g, 14), 'ipv4').checksumOk).toBe(false);
  });

  it('decodes fragments', () => {
    const a = must(P.parseIpv4(frame('fragment 0'), 14), 'ipv4');
    expect([a.mf, a.fragOffset, a.id]).toEqual([true, 0, 77]);
    const b = must(P.parseIpv4(frame('fragment 1'), 14), 'ipv4');
    expect([b.mf, b.fragOffset, b.checksumOk]).toEqual([false, 16, true]);
  });

  it('says malformed for bad version, IHL, total length and options', () => {
    const f = frame('udp').slice(14);
    const bad = (patch: (b: Uint8Array) => void) => {
      const b = f.slice();
      patch(b);
      return P.parseIpv4(b);
    };
    expect(bad((b) => (b[0] = 0x65)).kind).toBe('malformed');
    expect(bad((b) => (b[0] = 0x44)).kind).toBe('malformed');
    expect(bad((b) => ((b[2] = 0), (b[3] = 10))).kind).toBe('malformed');
    expect(bad((b) => ((b[0] = 0x46), (b[20] = 7), (b[21] = 9))).kind).toBe('malformed');
    expect(P.parseIpv4(f, 0, 19)).toEqual({ kind: 'truncated', layer: 'ipv4', offset: 0, need: 20, have: 19 });
  });

  it('flags a payload cut short by the capture', () => {
    const ip = must(P.parseIpv4(frame('tcp data'), 14, 60), 'ipv4');
    expect(ip.payloadTruncated).toBe(true);
    expect(ip.payloadEnd).toBe(60);
  });
});

describe('ipv6', () => {
  it('decodes the fixed header', () => {
    const f = P.buildEthIpv6Udp({ src: '2001:db8::1', dst: 'fe80::2', sport: 1, dport: 2, trafficClass: 0xb8, flowLabel: 0x12345, hopLimit: 7 });
    const ip = must(P.parseIpv6(f, 14), 'ipv6');
    expect(ip).toMatchObject({ src: '2001:db8::1', dst: 'fe80::2', trafficClass: 0xb8, flowLabel: 0x12345, hopLimit: 7, protocol: 17, payloadOffset: 54, extensions: [] });
  });

  it('walks extension headers to the upper layer', () => {
    const ip = must(P.parseIpv6(frame('v6 hop-by-hop'), 14), 'ipv6');
    expect(ip.nextHeader).toBe(P.IPPROTO_HOPOPTS);
    expect(ip.extensions).toEqual([{ type: 0, offset: 54, length: 8 }]);
    expect(ip.protocol).toBe(P.IPPROTO_UDP);
    expect(ip.payloadOffset).toBe(62);
    expect(P.verifyTransportChecksum(frame('v6 hop-by-hop'), ip)).toBe(true);
  });

  it('reads fragment headers and stops at later fragments', () => {
    const b = new Uint8Array(40 + 8 + 8 + 8);
    P.writeIpv6(b, 0, { src: '::1', dst: '::2', nextHeader: P.IPPROTO_DSTOPTS, payloadLength: 24 });
    P.writeIpv6Extension(b, 40, P.IPPROTO_FRAGMENT, new Uint8Array(6));
    P.writeIpv6Fragment(b, 48, P.IPPROTO_UDP, { offset: 1232, more: true, id: 0xdeadbeef });
    const ip = must(P.parseIpv6(b), 'ipv6');
    expect(ip.extensions.map((e) => e.type)).toEqual([60, 44]);
    expect(ip.fragment).toEqual({ offset: 1232, more: true, id: 0xdeadbeef });
    expect(ip.payloadOffset).toBe(56);
    expect(P.parseIpv6(b, 0, 50).kind).toBe('truncated');
  });
});

describe('tcp, udp, icmp, icmpv6', () => {
  it('tcp: ports, numbers, flags and options', () => {
    const opts = Uint8Array.of(2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2);
    const f = P.buildEthIpv4Tcp({ src: '1.2.3.4', dst: '5.6.7.8', sport: 443, dport: 55555, seq: 0xfffffff0, ack: 3, flags: 'S.', window: 512, tcpOptions: opts });
    const t = must(P.parseTcp(f, 34), 'tcp');
    expect(t).toMatchObject({ srcPort: 443, dstPort: 55555, seq: 0xfffffff0, ack: 3, window: 512, headerLength: 40, mss: 1460, windowScale: 7, sackPermitted: true, timestamp: { value: 1, echo: 2 } });
    expect(P.tcpFlagLetters(t.flags)).toBe('S.');
    expect(P.tcpFlagLetters(P.tcpFlagsFromLetters('FP.'))).toBe('FP.');
    expect(P.tcpFlagLetters(0)).toBe('none');
    const bad = f.slice();
    bad[34 + 20 + 1] = 40; // MSS option length overruns
    expect(P.parseTcp(bad, 34).kind).toBe('malformed');
  });

  it('udp: length bounds the payload', () => {
    const u = must(P.parseUdp(frame('udp'), 34), 'udp');
    expect(u).toMatchObject({ srcPort: 1234, dstPort: 5353, length: 20, payloadOffset: 42, payloadEnd: 54 });
    const b = frame('udp').slice();
    b[38] = 0;
    b[39] = 4;
    expect(P.parseUdp(b, 34).kind).toBe('malformed');
  });

  it('icmp and icmpv6 echo, neighbour discovery target', () => {
    expect(must(P.parseIcmp(frame('icmp echo'), 34), 'icmp')).toMatchObject({ type: 8, code: 0, id: 7, seq: 1 });
    expect(must(P.parseIcmpv6(frame('icmp6 echo'), 54), 'icmpv6')).toMatchObject({ type: 128, id: 7, seq: 2 });
    expect(must(P.parseIcmpv6(frame('neighbour solicitation'), 54), 'icmpv6').target).toBe('fd00::2');
  });
});

describe('vxlan and geneve', () => {
  it('vxlan: VNI and the inner frame', () => {
    const v = must(P.parseVxlan(frame('vxlan'), 42), 'vxlan');
    expect(v).toMatchObject({ vniValid: true, vni: 100, payloadOffset: 50 });
    expect(must(P.parseEthernet(frame('vxlan'), v.payloadOffset), 'ethernet').etherType).toBe(P.ETH_P_IP);
  });

  it('geneve: options and protocol type', () => {
    const opt = Uint8Array.of(0x01, 0x02, 0x80, 0x01, 0xaa, 0xbb, 0xcc, 0xdd);
    const f = P.buildEthIpv4Geneve({ src: '1.1.1.1', dst: '2.2.2.2', vni: 0xabcdef, inner: frame('udp'), geneveOptions: opt });
    const g = must(P.parseGeneve(f, 42), 'geneve');
    expect(g).toMatchObject({ version: 0, optionsLength: 8, vni: 0xabcdef, protocolType: 0x6558, payloadOffset: 58 });
    expect(g.options).toEqual([{ optClass: 0x0102, type: 0x80, length: 4, offset: 50 }]);
    const bad = f.slice();
    bad[42 + 8 + 3] = 5; // option claims 20 bytes
    expect(P.parseGeneve(bad, 42).kind).toBe('malformed');
  });
});

describe('addresses', () => {
  it('formats IPv6 as RFC 5952 and parses it back', () => {
    for (const s of ['::', '::1', 'fd00::2', '2001:db8::1:0:0:1', '2001:db8:0:1:1:1:1:1', 'fe80::1:2', '::ffff:10.0.0.1', '1::']) {
      expect(P.formatIpv6(P.parseIpv6Address(s))).toBe(s);
    }
    expect(P.formatIpv6(P.parseIpv6Address('2001:0DB8:0000:0000:0001:0000:0000:0001'))).toBe('2001:db8::1:0:0:1');
    expect(() => P.parseIpv6Address('1::2::3')).toThrow(/bad IPv6 address/);
    expect(() => P.parseIpv4Address('10.0.0.256')).toThrow(/EINVAL: bad IPv4 address "10.0.0.256"/);
    expect(() => P.parseMacAddress('02:00:00:00:00')).toThrow(/bad MAC/);
  });
});

describe('decoders on short and random bytes', () => {
  const parsers = [P.parseEthernet, P.parseVlan, P.parseArp, P.parseIpv4, P.parseIpv6, P.parseTcp, P.parseUdp, P.parseIcmp, P.parseIcmpv6, P.parseVxlan, P.parseGeneve];

  it('never throw, and every prefix of every case gives a header or a typed result', () => {
    for (const [, f] of SUMMARY_CASES) {
      for (let end = 0; end <= f.length; end++) {
        for (let off = 0; off <= Math.min(end, 70); off += 2) {
          for (const parse of parsers) {
            const r = parse(f, off, end);
            expect(typeof r.kind).toBe('string');
          }
        }
        expect(typeof P.summarize(f.subarray(0, end))).toBe('string');
      }
    }
  });

  it('survive random bytes', () => {
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
    for (let n = 0; n < 3000; n++) {
      const b = Uint8Array.from({ length: 14 + (n % 120) }, rnd);
      if (n % 3 === 0) ((b[12] = 0x08), (b[13] = 0), (b[14] = 0x45));
      if (n % 3 === 1) ((b[12] = 0x86), (b[13] = 0xdd), (b[14] = 0x60));
      for (const parse of parsers) parse(b, n % 20);
      expect(typeof P.summarize(b)).toBe('string');
    }
  });
});
