// Writer output for every flavour, committed and read back by tcpdump 4.99 / libpcap 1.10
// (flavours.tcpdump.txt: `tcpdump --nano -tt -q -n -r <file>` for each). Regenerate with
//   REGEN_PCAP_FIXTURES=1 ./node_modules/.bin/vitest run test/pcap/flavours.test.ts
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/packet/index.js';
import { LINKTYPE_IPV4, LINKTYPE_RAW, PcapWriter, PcapngWriter, readAllRecords } from '../../src/pcap/index.js';
import { SUMMARY_CASES } from '../fixtures/pcap/cases.js';

const DIR = join(import.meta.dirname, '../fixtures/pcap/flavours');
const T = 1_700_000_000_000_000_000n;
const frames = [SUMMARY_CASES[0]![1], SUMMARY_CASES[1]![1], SUMMARY_CASES[5]![1]];
const ts = (i: number) => T + BigInt(i) * 1_000_000_123n;

function make(): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const nanosecond of [false, true]) {
    for (const bigEndian of [false, true]) {
      const w = PcapWriter.memory({ nanosecond, bigEndian });
      frames.forEach((f, i) => w.write(f, ts(i)));
      out.set(`eth-${nanosecond ? 'ns' : 'us'}-${bigEndian ? 'be' : 'le'}.pcap`, w.bytes());
    }
  }
  const raw = PcapWriter.memory({ linkType: LINKTYPE_RAW });
  frames.forEach((f, i) => raw.write(f.subarray(14), ts(i)));
  out.set('raw-101.pcap', raw.bytes());
  const v4 = PcapWriter.memory({ linkType: LINKTYPE_IPV4, snaplen: 40 });
  v4.write(frames[0]!.subarray(14), ts(0));
  out.set('ipv4-228-snap40.pcap', v4.bytes());
  const ng = PcapngWriter.memory();
  const a = ng.addInterface({ name: 'veth0', tsresol: 6 });
  const b = ng.addInterface({ name: 'veth1', tsresol: 9 });
  ng.write(a, frames[0]!, ts(0));
  ng.write(b, frames[1]!, ts(1));
  // libpcap 1.10 cannot read a later section in the other byte order ("pcapng block size
  // 738197504 > maximum"): the mixed case is tested in pcapng.test.ts only.
  ng.newSection();
  const c = ng.addInterface({ name: 'wire0', tsresol: 9 });
  ng.write(c, frames[2]!, ts(2));
  out.set('two-sections.pcapng', ng.bytes());
  const be = PcapngWriter.memory({ bigEndian: true });
  be.addInterface({ tsresol: 0x80 | 30 });
  frames.forEach((f, i) => be.write(0, f, ts(i)));
  out.set('big-endian-2pow30.pcapng', be.bytes());
  return out;
}

if (process.env.REGEN_PCAP_FIXTURES) {
  mkdirSync(DIR, { recursive: true });
  for (const [name, bytes] of make()) writeFileSync(join(DIR, name), bytes);
}

describe.skipIf(!existsSync(DIR))('writer flavours, as tcpdump read them', () => {
  const files = make();
  const tcpdump = readFileSync(join(DIR, 'flavours.tcpdump.txt'), 'utf8');
  const sections = new Map(
    tcpdump
      .split(/^== /m)
      .filter(Boolean)
      .map((s) => {
        const [head, ...lines] = s.trimEnd().split('\n');
        return [head!.trim(), lines] as const;
      }),
  );

  for (const [name, bytes] of files) {
    it(name, () => {
      expect(readFileSync(join(DIR, name))).toEqual(Buffer.from(bytes));
      const lines = sections.get(name)!;
      const recs = readAllRecords(join(DIR, name));
      expect(recs.length).toBe(lines.length);
      recs.forEach((r, i) => {
        const m = /^(\d+)\.(\d{9}) (.*)$/.exec(lines[i]!)!;
        expect(`${r.tsSec}.${String(r.tsNsec).padStart(9, '0')}`).toBe(`${m[1]}.${m[2]}`);
        // tcpdump prints what it can of a snapped packet; compare the addresses part.
        expect(summarize(r.data, r.linkType).split(':')[0]).toBe(m[3]!.split(':')[0]);
      });
    });
  }
});
