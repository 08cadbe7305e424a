import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PcapWriter, readAllRecords } from '../../src/pcap/index.js';
import { summarize } from '../../src/packet/index.js';
import { SUMMARY_CASES, caseTs } from '../fixtures/pcap/cases.js';

const DIR = join(import.meta.dirname, '../fixtures/pcap');
const PCAP = join(DIR, 'summaries.pcap');

if (process.env.REGEN_PCAP_FIXTURES) {
  const w = PcapWriter.create(PCAP, { nanosecond: true });
  SUMMARY_CASES.forEach(([, f], i) => w.write(f, caseTs(i)));
  w.close();
}

/** Our additions to tcpdump -q's line: a vlan prefix, and the inner frame after a tunnel. */
function asTcpdumpWouldPrint(line: string): string {
  const noVlan = line.replace(/^(vlan \d+( \(0x[0-9a-f]+\))?(, )?)+: /, '');
  const t = /^(IP .*?: )(VXLAN|Geneve), vni \d+: /.exec(noVlan);
  return t ? `${t[1]}UDP, length ?` : noVlan;
}

describe('summarize', () => {
  it('the builder still makes the committed frames', () => {
    const recs = readAllRecords(PCAP);
    expect(recs).toHaveLength(SUMMARY_CASES.length);
    recs.forEach((r, i) => {
      expect(r.data, SUMMARY_CASES[i]![0]).toEqual(SUMMARY_CASES[i]![1]);
      expect(r.ts).toBe(caseTs(i));
    });
  });

  it('reads like tcpdump -q -n -t', () => {
    const want = readFileSync(join(DIR, 'summaries.tcpdump.txt'), 'utf8').trimEnd().split('\n');
    expect(want).toHaveLength(SUMMARY_CASES.length);
    SUMMARY_CASES.forEach(([name, frame], i) => {
      const ours = asTcpdumpWouldPrint(summarize(frame));
      const theirs = want[i]!.replace(/: ?$/, '').replace(/UDP, length \d+$/, (m) => (ours.endsWith('UDP, length ?') ? 'UDP, length ?' : m));
      expect(ours, name).toBe(theirs);
    });
  });

  it('adds vlan tags and tunnel contents', () => {
    const byName = new Map(SUMMARY_CASES);
    expect(summarize(byName.get('vlan')!)).toBe('vlan 100: IP 10.0.0.1.1234 > 10.0.0.2.5353: UDP, length 4');
    expect(summarize(byName.get('qinq')!)).toBe('vlan 10 (0x88a8), vlan 20: IP 10.0.0.1.1234 > 10.0.0.2.5353: UDP, length 4');
    expect(summarize(byName.get('vxlan')!)).toBe(
      'IP 192.168.0.1.50000 > 192.168.0.2.4789: VXLAN, vni 100: IP 10.0.0.1.1 > 10.0.0.2.2: tcp 0',
    );
    expect(summarize(byName.get('geneve')!)).toBe(
      'IP 192.168.0.1.50000 > 192.168.0.2.6081: Geneve, vni 200: IP 10.0.0.1.1 > 10.0.0.2.2: UDP, length 3',
    );
  });

  it('says where a frame is cut short', () => {
    const tcp = SUMMARY_CASES[1]![1];
    expect(summarize(tcp.subarray(0, 40))).toBe('IP 10.0.0.1 > 10.0.0.2: [|tcp]');
    expect(summarize(tcp.subarray(0, 20))).toBe('IP [|ip]');
    expect(summarize(tcp.subarray(0, 5))).toBe('[|ether]');
  });

  it('reads raw IP frames', () => {
    expect(summarize(SUMMARY_CASES[0]![1].subarray(14), 101)).toBe('IP 10.0.0.1.1234 > 10.0.0.2.5353: UDP, length 12');
  });

  it.skipIf(!existsSync(PCAP))('fixture present', () => expect(existsSync(PCAP)).toBe(true));
});
