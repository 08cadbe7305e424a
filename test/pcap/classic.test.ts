import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimError } from '../../src/errors.js';
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_RAW,
  PcapWriter,
  openCapture,
  readAllRecords,
  readCaptureBytes,
} from '../../src/pcap/index.js';
import { frame, withTmpDir } from './helpers.js';

const T0 = 1_700_000_000_123_456_789n;

function sample(n: number, opts: { nanosecond?: boolean; bigEndian?: boolean; snaplen?: number } = {}): Uint8Array {
  const w = PcapWriter.memory(opts);
  for (let i = 0; i < n; i++) w.write(frame(i), T0 + BigInt(i) * 1_000_001n);
  return w.bytes();
}

describe('classic pcap round trip', () => {
  for (const nanosecond of [false, true]) {
    for (const bigEndian of [false, true]) {
      it(`${nanosecond ? 'nano' : 'micro'}seconds, ${bigEndian ? 'big' : 'little'}-endian`, () => {
        const bytes = sample(50, { nanosecond, bigEndian });
        const magic = new DataView(bytes.buffer).getUint32(0, !bigEndian);
        expect(magic).toBe(nanosecond ? 0xa1b23c4d : 0xa1b2c3d4);
        const r = readCaptureBytes(bytes, { copy: true });
        const recs = [...r];
        expect(r.format).toBe('pcap');
        expect(r.classic!.nanosecond).toBe(nanosecond);
        expect(r.classic!.littleEndian).toBe(!bigEndian);
        expect(recs).toHaveLength(50);
        recs.forEach((rec, i) => {
          const ts = T0 + BigInt(i) * 1_000_001n;
          expect(rec.ts).toBe(nanosecond ? ts : (ts / 1000n) * 1000n);
          expect(rec.data).toEqual(frame(i));
          expect(rec.caplen).toBe(frame(i).length);
          expect(rec.origLen).toBe(frame(i).length);
          expect(rec.linkType).toBe(LINKTYPE_ETHERNET);
          expect(rec.interfaceIndex).toBe(0);
        });
      });
    }
  }

  it('cuts records to the snaplen and keeps the wire length', () => {
    const recs = [...readCaptureBytes(sample(5, { snaplen: 64 }), { copy: true })];
    for (const [i, rec] of recs.entries()) {
      expect(rec.caplen).toBe(Math.min(64, frame(i).length));
      expect(rec.origLen).toBe(frame(i).length);
      expect(rec.data).toEqual(frame(i).subarray(0, 64));
    }
  });

  it('reuses one record and one view per record unless asked to copy', () => {
    const r = readCaptureBytes(sample(3));
    const a = r.next();
    const b = r.next();
    expect(a).toBe(b);
    const c = [...readCaptureBytes(sample(3), { copy: true })];
    expect(c[0]).not.toBe(c[1]);
    expect(c[0]!.data).toEqual(frame(0));
  });

  it('streams a file through a small buffer, records spanning chunks and larger than it', () => {
    withTmpDir((dir) => {
      const path = join(dir, 'x.pcap');
      const w = PcapWriter.create(path, { nanosecond: true });
      const sizes = [60, 1500, 9000, 61, 17, 4000, 60];
      sizes.forEach((len, i) => w.write(frame(i, len), T0 + BigInt(i)));
      w.close();
      for (const chunkSize of [16, 64, 1000, 1 << 20]) {
        const r = openCapture(path, { chunkSize });
        let i = 0;
        for (const rec of r) {
          expect(rec.data).toEqual(frame(i, sizes[i]));
          expect(rec.ts).toBe(T0 + BigInt(i));
          i++;
        }
        expect(i).toBe(sizes.length);
        expect(r.offset).toBe(w.length);
      }
    });
  });

  it('keeps the link type of the file header (raw IP)', () => {
    const w = PcapWriter.memory({ linkType: LINKTYPE_RAW });
    w.write(Uint8Array.of(0x45, 0, 0, 20), 0n);
    const [rec] = [...readCaptureBytes(w.bytes())];
    expect(rec!.linkType).toBe(LINKTYPE_RAW);
  });

  it('reads a large file in constant memory', () => {
    withTmpDir((dir) => {
      const path = join(dir, 'big.pcap');
      const w = PcapWriter.create(path);
      const f = frame(1, 64);
      for (let i = 0; i < 100_000; i++) w.writeParts(f, 1_700_000_000 + Math.floor(i / 1000), (i % 1000) * 1000, 64);
      w.close();
      const r = openCapture(path, { chunkSize: 1 << 16 });
      let n = 0;
      let bytes = 0;
      for (let rec = r.next(); rec !== null; rec = r.next()) {
        n++;
        bytes += rec.caplen;
      }
      expect(n).toBe(100_000);
      expect(bytes).toBe(6_400_000);
    });
  });
});

describe('classic pcap bad input', () => {
  function err(bytes: Uint8Array, opts = {}): SimError {
    try {
      const r = readCaptureBytes(bytes, opts, 'bad.pcap');
      for (const _ of r) {
        // drain
      }
    } catch (e) {
      expect(e).toBeInstanceOf(SimError);
      return e as SimError;
    }
    throw new Error('no error');
  }

  it('names the file and the offset for every truncation point, after the good records', () => {
    const good = sample(4);
    // Record boundaries: 24, then 16 + len each.
    const starts = [24];
    for (let i = 0; i < 4; i++) starts.push(starts[i]! + 16 + frame(i).length);
    for (let cut = 0; cut < good.length; cut++) {
      const bytes = good.subarray(0, cut);
      const whole = starts.filter((s) => s <= cut).length - 1;
      if (cut < 24) {
        const e = err(bytes);
        expect(e.code).toBe('EFORMAT');
        expect(e.message).toMatch(/^EFORMAT: bad\.pcap: offset 0: /);
        continue;
      }
      const r = readCaptureBytes(bytes, { copy: true }, 'bad.pcap');
      const got: number[] = [];
      let error: unknown = null;
      try {
        for (const rec of r) got.push(rec.caplen);
      } catch (e) {
        error = e;
      }
      expect(got).toHaveLength(whole);
      if (starts.includes(cut)) {
        expect(error).toBeNull();
      } else {
        expect((error as SimError).code).toBe('EFORMAT');
        expect((error as SimError).message).toContain(`bad.pcap: offset ${starts[whole]}: truncated record`);
      }
    }
  });

  it("onError 'stop' ends quietly and keeps the error", () => {
    const good = sample(3);
    const r = readCaptureBytes(good.subarray(0, good.length - 5), { onError: 'stop' }, 'cut.pcap');
    let n = 0;
    for (const _ of r) n++;
    expect(n).toBe(2);
    expect(r.error?.code).toBe('EFORMAT');
    expect(r.error?.message).toMatch(/cut\.pcap: offset \d+: truncated record: caplen \d+, only \d+ bytes of data left/);
  });

  it('rejects files that are not captures', () => {
    expect(err(new TextEncoder().encode('hello world, not a pcap')).message).toBe(
      'EFORMAT: bad.pcap: offset 0: not a pcap or pcapng file (magic 0x68656c6c)',
    );
    expect(err(new Uint8Array(0)).message).toContain('offset 0: file too short');
  });

  it('rejects unknown link types unless asked to accept any', () => {
    const w = PcapWriter.memory({ linkType: 113 });
    w.write(frame(0), 0n);
    expect(err(w.bytes()).message).toBe(
      'EFORMAT: bad.pcap: offset 20: link type 113 (LINUX_SLL) is not supported; tcxsim reads ETHERNET (1), RAW (101, 12, 14), IPV4 (228), IPV6 (229)',
    );
    expect([...readCaptureBytes(w.bytes(), { anyLinkType: true })][0]!.linkType).toBe(113);
  });

  it('rejects an unbelievable caplen as corruption', () => {
    const bytes = sample(1);
    new DataView(bytes.buffer).setUint32(24 + 8, 0x7fffffff, true);
    expect(err(bytes).message).toBe('EFORMAT: bad.pcap: offset 24: invalid record caplen 2147483647, bigger than snaplen 262144');
  });

  it('reports a missing file as ENOENT with its name', () => {
    withTmpDir((dir) => {
      const path = join(dir, 'nope.pcap');
      expect(() => openCapture(path)).toThrow(SimError);
      try {
        openCapture(path);
      } catch (e) {
        expect((e as SimError).code).toBe('ENOENT');
        expect((e as SimError).message).toContain(path);
      }
      writeFileSync(path, sample(2));
      expect(readAllRecords(path)).toHaveLength(2);
    });
  });
});
