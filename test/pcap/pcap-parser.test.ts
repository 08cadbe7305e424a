// Cross-check with an independent reader: the npm package pcap-parser (classic microsecond
// pcap only; it rejects nanosecond pcaps and pcapng). Skipped while it is not installed.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAllRecords } from '../../src/pcap/index.js';

const require = createRequire(import.meta.url);
function load(): { parse(path: string): NodeJS.EventEmitter } | null {
  try {
    return require('pcap-parser') as { parse(path: string): NodeJS.EventEmitter };
  } catch {
    return null;
  }
}
const pcapParser = load();

interface TheirPacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength?: number; captureLength?: number; originalLength: number };
  data: Buffer;
}

function theirs(path: string): Promise<{ linkType: number; packets: TheirPacket[] }> {
  return new Promise((resolve, reject) => {
    const p = pcapParser!.parse(path);
    let linkType = -1;
    const packets: TheirPacket[] = [];
    p.on('globalHeader', (h: { linkLayerType: number }) => (linkType = h.linkLayerType));
    p.on('packet', (pkt: TheirPacket) => packets.push({ header: { ...pkt.header }, data: Buffer.from(pkt.data) }));
    p.on('end', () => resolve({ linkType, packets }));
    p.on('error', reject);
  });
}

const DIR = join(import.meta.dirname, '../fixtures/pcap');
const FILES = ['flavours/eth-us-le.pcap', 'flavours/eth-us-be.pcap', 'flavours/raw-101.pcap', 'flavours/ipv4-228-snap40.pcap', 'kernel-veth-us.pcap'];

describe.skipIf(pcapParser === null)('pcap-parser agrees with our reader', () => {
  for (const f of FILES) {
    it(f, async () => {
      const path = join(DIR, f);
      const ours = readAllRecords(path);
      const { linkType, packets } = await theirs(path);
      expect(linkType).toBe(ours[0]!.linkType);
      expect(packets).toHaveLength(ours.length);
      packets.forEach((p, i) => {
        const r = ours[i]!;
        expect([p.header.timestampSeconds, p.header.timestampMicroseconds]).toEqual([r.tsSec, r.tsNsec / 1000]);
        expect(p.header.capturedLength ?? p.header.captureLength).toBe(r.caplen);
        expect(p.header.originalLength).toBe(r.origLen);
        expect(new Uint8Array(p.data)).toEqual(r.data);
      });
    });
  }
});
