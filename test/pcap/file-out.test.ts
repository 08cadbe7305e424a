// file-out.test.ts: the output half both capture writers share (src/pcap/file-out.ts): the file
// exists while written, abort() deletes it, close() is idempotent, writing after close is EBADF.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PcapWriter, PcapngWriter } from '../../src/pcap/index.js';

const FRAME = new Uint8Array(60).fill(0xab);

function withTmpDir(f: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'tcxsim-file-out-'));
  try {
    f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const writers = [
  {
    name: 'PcapWriter',
    create: (path: string) => PcapWriter.create(path),
    memory: () => PcapWriter.memory(),
    write: (w: PcapWriter | PcapngWriter) => (w as PcapWriter).write(FRAME, 1n),
  },
  {
    name: 'PcapngWriter',
    create: (path: string) => {
      const w = PcapngWriter.create(path);
      w.addInterface();
      return w;
    },
    memory: () => {
      const w = PcapngWriter.memory();
      w.addInterface();
      return w;
    },
    write: (w: PcapWriter | PcapngWriter) => (w as PcapngWriter).write(0, FRAME, 1n),
  },
];

describe.each(writers)('$name output', ({ create, memory, write }) => {
  it('writes the file on close and counts records', () => {
    withTmpDir((dir) => {
      const path = join(dir, 'x.cap');
      const w = create(path);
      expect(w.path).toBe(path);
      write(w);
      write(w);
      expect(w.count).toBe(2);
      w.close();
      w.close();
      expect(statSync(path).size).toBe(w.length);
    });
  });
  it('abort() closes and deletes the file', () => {
    withTmpDir((dir) => {
      const path = join(dir, 'x.cap');
      const w = create(path);
      write(w);
      expect(existsSync(path)).toBe(true);
      w.abort();
      expect(existsSync(path)).toBe(false);
      w.abort();
    });
  });
  it('refuses a write after close, naming the file', () => {
    withTmpDir((dir) => {
      const path = join(dir, 'x.cap');
      const w = create(path);
      w.close();
      expect(() => write(w)).toThrow(/^EBADF: .*x\.cap: write after close/);
    });
  });
  it('memory writers hold the bytes and say <memory>', () => {
    const w = memory();
    expect(w.path).toBeNull();
    write(w);
    expect(w.bytes().length).toBe(w.length);
    w.abort();
    expect(() => write(w)).toThrow(/^EBADF: <memory>: write after close/);
  });
  it('cannot create a file in a missing directory', () => {
    withTmpDir((dir) => {
      expect(() => create(join(dir, 'nope', 'x.cap'))).toThrow(/^ENOENT: .*cannot create capture/);
    });
  });
});
