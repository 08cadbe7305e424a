// jhash.test.ts: jhashView (whole-word reads, used by hash map lookups from programs) gives
// jhash's value for every length, offset and seed, and jhash keeps the kernel's known values.
import { describe, expect, it } from 'vitest';
import { jhash, jhashView } from '../../../src/bpf/maps/jhash.js';

describe('jhash', () => {
  it('matches lookup3 on the empty key and a known vector', () => {
    // jhash of zero bytes is the initial value; "Four score and seven years ago" with seed 0 is
    // lookup3's published hashlittle() check value 0x17770551
    expect(jhash(new Uint8Array(0), 0, 0, 0)).toBe(0xdeadbeef);
    const text = new TextEncoder().encode('Four score and seven years ago');
    expect(jhash(text, 0, text.length, 0)).toBe(0x17770551);
  });

  it('jhashView agrees with jhash for lengths 0..40 at any offset and seed', () => {
    const bytes = new Uint8Array(64);
    let x = 12345;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < bytes.length; i++) bytes[i] = (x = (Math.imul(x, 1103515245) + 12345) | 0) >>> 24;
      const view = new DataView(bytes.buffer);
      for (let len = 0; len <= 40; len++) {
        for (const off of [0, 1, 3, 8]) {
          const seed = round * 0x9e3779b9;
          expect(jhashView(view, off, len, seed | 0), `len ${len} off ${off}`).toBe(jhash(bytes, off, len, seed | 0));
        }
      }
    }
  });
});
