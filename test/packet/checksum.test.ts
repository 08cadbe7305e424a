import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checksumOk,
  fold,
  internetChecksum,
  parseEthernet,
  parseIpv4,
  parseIpv6,
  setIpv4Checksum,
  setTransportChecksum,
  sum16,
  transportChecksum,
  verifyTransportChecksum,
  type Ipv4Header,
  type Ipv6Header,
} from '../../src/packet/index.js';
import { SUMMARY_CASES } from '../fixtures/pcap/cases.js';

function ipOf(frame: Uint8Array): Ipv4Header | Ipv6Header | null {
  const eth = parseEthernet(frame);
  if (eth.kind !== 'ethernet') return null;
  const v4 = parseIpv4(frame, eth.payloadOffset);
  if (v4.kind === 'ipv4') return v4;
  const v6 = parseIpv6(frame, eth.payloadOffset);
  return v6.kind === 'ipv6' ? v6 : null;
}

describe('internet checksum', () => {
  it('matches the RFC 1071 worked example', () => {
    // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 (folded).
    const b = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    expect(fold(sum16(b, 0, 8))).toBe(0xddf2);
    expect(internetChecksum(b, 0, 8)).toBe(0x220d);
  });

  it('pads an odd tail with zero', () => {
    expect(sum16(Uint8Array.of(0x12, 0x34, 0x56), 0, 3)).toBe(0x1234 + 0x5600);
  });

  it('verifies a known IPv4 header (Wikipedia example, checksum 0xb861)', () => {
    const h = Uint8Array.from([0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7]);
    expect(checksumOk(h, 0, 20)).toBe(true);
    h[10] = 0;
    h[11] = 0;
    expect(setIpv4Checksum(h, 0)).toBe(0xb861);
  });

  it('every builder frame carries checksums that verify (and tcpdump -vv agreed)', () => {
    let checked = 0;
    for (const [name, frame] of SUMMARY_CASES) {
      const ip = ipOf(frame);
      if (ip === null) continue;
      if (ip.kind === 'ipv4') expect(ip.checksumOk, name).toBe(true);
      const ok = verifyTransportChecksum(frame, ip);
      if (ok === null) continue; // fragments: segment not all here
      expect(ok, name).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(15);
    const vv = readFileSync(join(import.meta.dirname, '../fixtures/pcap/summaries.tcpdump-vv.txt'), 'utf8');
    expect(vv).not.toMatch(/bad cksum|incorrect|bad udp cksum/);
    expect(vv.match(/\(correct\)|sum ok/g)!.length).toBeGreaterThanOrEqual(15);
  });

  it('detects a flipped payload bit and repairs it', () => {
    const frame = SUMMARY_CASES[2]![1].slice();
    const ip = ipOf(frame)!;
    const good = transportChecksum(frame, ip);
    frame[frame.length - 1]! ^= 0x10;
    expect(verifyTransportChecksum(frame, ip)).toBe(false);
    expect(transportChecksum(frame, ip)).not.toBe(good);
    setTransportChecksum(frame, ip);
    expect(verifyTransportChecksum(frame, ip)).toBe(true);
  });

  it('UDP over IPv4 with checksum 0 means none; a computed 0 is sent as 0xffff', () => {
    const frame = SUMMARY_CASES[0]![1].slice();
    const ip = ipOf(frame)!;
    frame[ip.payloadOffset + 6] = 0;
    frame[ip.payloadOffset + 7] = 0;
    expect(verifyTransportChecksum(frame, ip)).toBe(true);
    // Find a payload byte value that makes the sum come out 0, then expect 0xffff.
    for (let v = 0; v < 0x10000; v++) {
      frame[frame.length - 2] = v >> 8;
      frame[frame.length - 1] = v & 0xff;
      if (transportChecksum(frame, ip) === 0xffff) {
        setTransportChecksum(frame, ip);
        expect(verifyTransportChecksum(frame, ip)).toBe(true);
        return;
      }
    }
    throw new Error('no payload gave a zero checksum');
  });
});
