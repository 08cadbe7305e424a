// Captures made by the kernel: tcpdump 4.99 on one end of a veth pair into a namespace while
// ICMP/ICMPv6 echo went across (ARP, NS/NA and router solicitations are the kernel's own).
// kernel-veth-ns.pcap as captured (--time-stamp-precision nano), kernel-veth-us.pcap is
// `tcpdump -r ns -w us`; kernel-veth.tcpdump.txt and .times.txt are tcpdump's reading.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEthernet, parseIpv4, parseIpv6, summarize, verifyTransportChecksum } from '../../src/packet/index.js';
import { openCapture, readAllRecords } from '../../src/pcap/index.js';

const DIR = join(import.meta.dirname, '../fixtures/pcap');
const lines = (f: string) => readFileSync(join(DIR, f), 'utf8').trimEnd().split('\n');

describe('kernel-made captures', () => {
  const ns = readAllRecords(join(DIR, 'kernel-veth-ns.pcap'));
  const us = readAllRecords(join(DIR, 'kernel-veth-us.pcap'));

  it('timestamps match tcpdump --nano, and the microsecond copy is their truncation', () => {
    const times = lines('kernel-veth.times.txt');
    expect(ns).toHaveLength(times.length);
    ns.forEach((r, i) => {
      expect(`${r.tsSec}.${String(r.tsNsec).padStart(9, '0')}`).toBe(times[i]);
      expect(us[i]!.ts).toBe((r.ts / 1000n) * 1000n);
      expect(us[i]!.data).toEqual(r.data);
    });
    expect(openCapture(join(DIR, 'kernel-veth-ns.pcap')).classic!.nanosecond).toBe(true);
  });

  it('summaries read like tcpdump -q -n -t', () => {
    const want = lines('kernel-veth.tcpdump.txt');
    ns.forEach((r, i) => expect(summarize(r.data)).toBe(want[i]));
  });

  it('kernel checksums verify', () => {
    let n = 0;
    for (const r of ns) {
      const eth = parseEthernet(r.data);
      if (eth.kind !== 'ethernet') continue;
      const ip = eth.etherType === 0x0800 ? parseIpv4(r.data, eth.payloadOffset) : parseIpv6(r.data, eth.payloadOffset);
      if (ip.kind !== 'ipv4' && ip.kind !== 'ipv6') continue;
      if (ip.kind === 'ipv4') expect(ip.checksumOk).toBe(true);
      expect(verifyTransportChecksum(r.data, ip)).toBe(true);
      n++;
    }
    expect(n).toBe(10);
  });
});
