import { describe, expect, it } from 'vitest';
import { SimError } from '../../src/errors.js';
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  PcapngWriter,
  readCaptureBytes,
} from '../../src/pcap/index.js';
import { frame } from './helpers.js';

const T0 = 1_700_000_000_123_456_789n;

function readAll(bytes: Uint8Array) {
  const r = readCaptureBytes(bytes, { copy: true }, 'x.pcapng');
  return { r, recs: [...r] };
}

function errOf(bytes: Uint8Array): SimError {
  const r = readCaptureBytes(bytes, {}, 'x.pcapng');
  try {
    for (const _ of r) {
      // drain
    }
  } catch (e) {
    return e as SimError;
  }
  throw new Error('no error');
}

describe('pcapng round trip', () => {
  it('multi-section, both byte orders, several interfaces with their own if_tsresol', () => {
    const w = PcapngWriter.memory();
    const us = w.addInterface({ name: 'eth0', tsresol: 6 });
    const ns = w.addInterface({ name: 'eth1', tsresol: 9, linkType: LINKTYPE_IPV4 });
    const bin = w.addInterface({ tsresol: 0x80 | 20 });
    w.write(us, frame(0), T0);
    w.write(ns, frame(1), T0 + 1n);
    w.write(bin, frame(2), T0 + 2n);
    w.newSection({ bigEndian: true });
    const ms = w.addInterface({ tsresol: 3, linkType: LINKTYPE_IPV6 });
    w.write(ms, frame(3), T0 + 3n);
    w.writeBlock(0x0bad0001, Uint8Array.of(1, 2, 3, 4, 5)); // unknown block: skipped
    w.write(ms, frame(4), T0 + 4n, 1000);
    w.newSection();
    const again = w.addInterface({});
    w.write(again, frame(5), T0 + 5n);

    const { r, recs } = readAll(w.bytes());
    expect(r.format).toBe('pcapng');
    expect(r.pcapng!.sections).toBe(3);
    expect(recs.map((x) => x.interfaceIndex)).toEqual([0, 1, 2, 0, 0, 0]);
    expect(recs.map((x) => x.linkType)).toEqual([
      LINKTYPE_ETHERNET,
      LINKTYPE_IPV4,
      LINKTYPE_ETHERNET,
      LINKTYPE_IPV6,
      LINKTYPE_IPV6,
      LINKTYPE_ETHERNET,
    ]);
    const sec = 1_700_000_000n * 1_000_000_000n;
    expect(recs[0]!.ts).toBe(sec + 123_456_000n); // microseconds
    expect(recs[1]!.ts).toBe(T0 + 1n); // nanoseconds
    // 2^-20 s units, truncated to whole nanoseconds on the way in and on the way out.
    const ticks = ((T0 + 2n) << 20n) / 1_000_000_000n;
    expect(recs[2]!.ts).toBe(sec + ((ticks % (1n << 20n)) * 1_000_000_000n) / (1n << 20n));
    expect(recs[3]!.ts).toBe(sec + 123_000_000n); // milliseconds
    expect(recs[4]!.origLen).toBe(1000);
    expect(recs[5]!.ts).toBe(T0 + 5n);
    recs.forEach((x, i) => expect(x.data).toEqual(frame(i)));
  });

  it('reads simple packet blocks (interface 0, cut to its snaplen, no timestamp)', () => {
    const w = PcapngWriter.memory();
    w.addInterface({ snaplen: 100 });
    w.writeSimple(frame(0, 80));
    w.writeSimple(frame(1, 300), 300);
    const { recs } = readAll(w.bytes());
    expect(recs.map((x) => [x.caplen, x.origLen, x.ts])).toEqual([
      [80, 80, 0n],
      [100, 300, 0n],
    ]);
    expect(recs[1]!.data).toEqual(frame(1, 300).subarray(0, 100));
  });

  it('reads obsolete packet blocks', () => {
    const w = PcapngWriter.memory();
    w.addInterface({ tsresol: 6 });
    const body = new Uint8Array(20 + 60);
    const dv = new DataView(body.buffer);
    dv.setUint16(0, 0, true); // interface
    dv.setUint32(4, 1, true); // ts high
    dv.setUint32(8, 5, true); // ts low
    dv.setUint32(12, 60, true);
    dv.setUint32(16, 60, true);
    body.set(frame(7, 60), 20);
    w.writeBlock(2, body);
    const { recs } = readAll(w.bytes());
    expect(recs).toHaveLength(1);
    expect(recs[0]!.ts).toBe((4294967296n + 5n) * 1000n);
    expect(recs[0]!.data).toEqual(frame(7, 60));
  });

  it('applies if_tsoffset', () => {
    const w = PcapngWriter.memory();
    // Build an IDB by hand: linktype 1, snaplen 0, if_tsoffset = 100 s.
    const idb = new Uint8Array(8 + 12 + 4);
    const dv = new DataView(idb.buffer);
    dv.setUint16(0, 1, true);
    dv.setUint16(8, 14, true);
    dv.setUint16(10, 8, true);
    dv.setBigInt64(12, 100n, true);
    w.writeBlock(1, idb);
    const epb = new Uint8Array(20 + 60);
    const e = new DataView(epb.buffer);
    e.setUint32(8, 2_500_000, true); // 2.5 s in microseconds
    e.setUint32(12, 60, true);
    e.setUint32(16, 60, true);
    w.writeBlock(6, epb);
    const { recs } = readAll(w.bytes());
    expect(recs[0]!.ts).toBe(102_500_000_000n);
    expect(recs[0]!.tsSec).toBe(102);
    expect(recs[0]!.tsNsec).toBe(500_000_000);
  });
});

describe('pcapng bad input', () => {
  function twoPackets(): Uint8Array {
    const w = PcapngWriter.memory();
    w.addInterface({});
    w.write(0, frame(0), T0);
    w.write(0, frame(1), T0);
    return w.bytes();
  }

  it('truncation at every point: good packets first, then the block offset', () => {
    const good = twoPackets();
    const shbLen = new DataView(good.buffer).getUint32(4, true);
    const idbLen = new DataView(good.buffer).getUint32(shbLen + 4, true);
    const epb1 = shbLen + idbLen;
    const epb2 = epb1 + new DataView(good.buffer).getUint32(epb1 + 4, true);
    for (let cut = 4; cut < good.length; cut++) {
      const r = readCaptureBytes(good.subarray(0, cut), { onError: 'stop' }, 'x.pcapng');
      let n = 0;
      for (const _ of r) n++;
      const blockStart = cut < shbLen ? 0 : cut < epb1 ? shbLen : cut < epb2 ? epb1 : epb2;
      if (cut === shbLen || cut === epb1 || cut === epb2) {
        expect(r.error).toBeNull();
      } else {
        expect(r.error?.code).toBe('EFORMAT');
        expect(r.error?.message).toContain(`x.pcapng: offset ${blockStart}: truncated`);
      }
      expect(n).toBe(cut >= epb2 ? 1 : 0);
    }
  });

  it('rejects a packet on an interface the section did not define', () => {
    const w = PcapngWriter.memory();
    w.addInterface({});
    w.write(0, frame(0), T0);
    const bytes = w.bytes();
    const shbLen = new DataView(bytes.buffer).getUint32(4, true);
    const idbLen = new DataView(bytes.buffer).getUint32(shbLen + 4, true);
    new DataView(bytes.buffer).setUint32(shbLen + idbLen + 8, 3, true);
    expect(errOf(bytes).message).toBe(
      `EFORMAT: x.pcapng: offset ${shbLen + idbLen}: packet refers to interface 3, but the section defines 1`,
    );
  });

  it('rejects a block whose trailing length disagrees', () => {
    const bytes = twoPackets();
    const shbLen = new DataView(bytes.buffer).getUint32(4, true);
    new DataView(bytes.buffer).setUint32(shbLen - 4, 8, true);
    expect(errOf(bytes).message).toBe(
      `EFORMAT: x.pcapng: offset ${shbLen - 4}: SHB block trailing length 8 does not match leading length ${shbLen}`,
    );
  });

  it('rejects a bad byte-order magic and unknown interface link types', () => {
    const bytes = twoPackets();
    new DataView(bytes.buffer).setUint32(8, 0x12345678, true);
    expect(errOf(bytes).message).toBe('EFORMAT: x.pcapng: offset 8: bad section byte-order magic 0x12345678');
    const w = PcapngWriter.memory();
    w.addInterface({ linkType: 105 });
    expect(errOf(w.bytes()).message).toMatch(/offset \d+: link type 105 \(unknown\) is not supported/);
  });
});
