// packet.test.ts: skb_load_bytes, skb_load_bytes_relative, skb_store_bytes, skb_pull_data:
// the kernel's recorded skb_bytes runs replayed step by step, then every check and errno.
import { describe, expect, it } from 'vitest';
import { BpfFault } from '../../../src/bpf/fault.js';
import {
  BPF_FUNC_skb_load_bytes as LOAD,
  BPF_FUNC_skb_load_bytes_relative as LOAD_REL,
  BPF_FUNC_skb_pull_data as PULL,
  BPF_FUNC_skb_store_bytes as STORE,
  BPF_F_INVALIDATE_HASH,
  BPF_F_RECOMPUTE_CSUM,
  BPF_HDR_START_MAC,
  BPF_HDR_START_NET,
} from '../../../src/bpf/helpers/packet.js';
import { csumPartial } from '../../../src/bpf/helpers/wsum.js';
import { CHECKSUM_COMPLETE } from '../../../src/bpf/skb/constants.js';
import { readU32Be } from './util.js';
import { HelperBench, cbOut, kernelRuns, markOut } from './harness.js';

const EFAULT = -14n;
const EINVAL = -22n;
const ENOMEM = -12n;

describe('kernel fixture skb_bytes', () => {
  it.each(kernelRuns('skb_bytes', 'load_bytes'))('load_bytes $data_in', (run) => {
    const t = new HelperBench(run.data_in);
    const len = t.skb.len;
    let mark = 0;
    if (t.call(LOAD, 26, t.put(0, [0, 0, 0, 0]), 4) === 0n) mark = readU32Be(t.scratch, 0);
    expect(mark).toBe(markOut(run));
    expect(t.callU32(LOAD, len - 4, { ptr: 16 }, 8)).toBe(cbOut(run, 0));
    expect(t.callU32(LOAD, -1, { ptr: 16 }, 1)).toBe(cbOut(run, 1));
    expect(t.callU32(LOAD, len - 8, { ptr: 16 }, 8)).toBe(cbOut(run, 2));
    expect(t.scratch[16 + 7]).toBe(cbOut(run, 3));
    expect(t.data).toBe(run.data_out);
  });

  it.each(kernelRuns('skb_bytes', 'load_relative'))('load_relative $data_in', (run) => {
    const t = new HelperBench(run.data_in);
    let mark = 0;
    if (t.call(LOAD_REL, 12, t.put(0, [0, 0, 0, 0]), 4, BPF_HDR_START_NET) === 0n) mark = readU32Be(t.scratch, 0);
    expect(mark).toBe(markOut(run));
    t.put(8, new Uint8Array(6));
    expect(t.callU32(LOAD_REL, 0, { ptr: 8 }, 6, BPF_HDR_START_MAC)).toBe(cbOut(run, 0));
    expect((t.scratch[12] << 8) | t.scratch[13]).toBe(cbOut(run, 1));
    expect(t.callU32(LOAD_REL, t.skb.len, { ptr: 0 }, 4, BPF_HDR_START_NET)).toBe(cbOut(run, 2));
    expect(t.callU32(LOAD_REL, 0, { ptr: 0 }, 4, 7)).toBe(cbOut(run, 3));
  });

  it.each(kernelRuns('skb_bytes', 'store_bytes'))('store_bytes $data_in', (run) => {
    const t = new HelperBench(run.data_in);
    const mac = t.put(0, '02aabbccddee');
    const ttl = t.put(8, [7]);
    expect(t.callU32(STORE, 0, mac, 6, 0)).toBe(cbOut(run, 0));
    expect(t.callU32(STORE, 14 + 8, ttl, 1, BPF_F_RECOMPUTE_CSUM)).toBe(cbOut(run, 1));
    expect(t.callU32(STORE, t.skb.len - 2, mac, 4, 0)).toBe(cbOut(run, 2));
    expect(t.callU32(STORE, 0, mac, 1, 1n << 5n)).toBe(cbOut(run, 3));
    expect(t.data).toBe(run.data_out);
  });
});

const TCP_FRAME =
  '02000000000202000000000108004500002d12344000400614950a0000010a0000029c400050000000010000000050180200b961000068656c6c6f';

describe('skb_load_bytes', () => {
  it('reads up to the last byte and fails one past it, zero-filling the buffer', () => {
    const t = new HelperBench(TCP_FRAME);
    const len = t.skb.len;
    expect(t.call(LOAD, len - 5, { ptr: 0 }, 5)).toBe(0n);
    expect(t.bytesAt(0, 5)).toBe('68656c6c6f');
    t.put(0, 'ffffffffffffff');
    expect(t.call(LOAD, len - 4, { ptr: 0 }, 5)).toBe(EFAULT);
    expect(t.bytesAt(0, 7)).toBe('0000000000ffff');
  });

  it('refuses offsets above INT_MAX (negative ints)', () => {
    const t = new HelperBench(TCP_FRAME);
    t.put(0, 'aa');
    expect(t.call(LOAD, 0x80000000, { ptr: 0 }, 1)).toBe(EFAULT);
    expect(t.scratch[0]).toBe(0);
  });

  it('faults when the destination is not writable memory', () => {
    const t = new HelperBench(TCP_FRAME);
    expect(() => t.callRaw(LOAD, 0n, 0n, 0n, 4n)).toThrow(BpfFault);
  });
});

describe('skb_load_bytes_relative', () => {
  it('reads relative to the network header and stops at the tail', () => {
    const t = new HelperBench(TCP_FRAME);
    expect(t.call(LOAD_REL, 0, { ptr: 0 }, 2, BPF_HDR_START_NET)).toBe(0n);
    expect(t.bytesAt(0, 2)).toBe('4500');
    const netLen = t.skb.len - 14;
    expect(t.call(LOAD_REL, netLen - 2, { ptr: 0 }, 2, BPF_HDR_START_NET)).toBe(0n);
    expect(t.call(LOAD_REL, netLen - 1, { ptr: 0 }, 2, BPF_HDR_START_NET)).toBe(EFAULT);
  });

  it('refuses offsets above 0xffff and an unset MAC header', () => {
    const t = new HelperBench(TCP_FRAME);
    expect(t.call(LOAD_REL, 0x10000, { ptr: 0 }, 1, BPF_HDR_START_MAC)).toBe(EFAULT);
    t.skb.macHeader = -1;
    t.put(0, 'ff');
    expect(t.call(LOAD_REL, 0, { ptr: 0 }, 1, BPF_HDR_START_MAC)).toBe(EFAULT);
    expect(t.scratch[0]).toBe(0);
  });
});

describe('skb_store_bytes', () => {
  it('checks flags before the offset, and the offset before the length', () => {
    const t = new HelperBench(TCP_FRAME);
    const p = t.put(0, 'aabb');
    expect(t.call(STORE, 0x80000000, p, 2, 4)).toBe(EINVAL);
    expect(t.call(STORE, 0, p, 2, 1n << 32n)).toBe(EINVAL);
    expect(t.call(STORE, 0x80000000, p, 2, 0)).toBe(EFAULT);
    expect(t.call(STORE, t.skb.len - 1, p, 2, 0)).toBe(EFAULT);
    expect(t.call(STORE, t.skb.len - 2, p, 2, 0)).toBe(0n);
    expect(t.data.endsWith('6caabb')).toBe(true);
  });

  it('BPF_F_INVALIDATE_HASH clears the hash', () => {
    const t = new HelperBench(TCP_FRAME);
    t.skb.hash = 0x1234;
    t.skb.l4Hash = true;
    expect(t.call(STORE, 0, t.put(0, '02'), 1, BPF_F_INVALIDATE_HASH)).toBe(0n);
    expect(t.skb.hash).toBe(0);
    expect(t.skb.l4Hash).toBe(false);
  });

  it('BPF_F_RECOMPUTE_CSUM keeps a CHECKSUM_COMPLETE sum equal to the sum of the bytes', () => {
    const t = new HelperBench(TCP_FRAME);
    const skb = t.skb;
    skb.ipSummed = CHECKSUM_COMPLETE;
    skb.csum = csumPartial(skb.buf, skb.data, skb.len, 0);
    expect(t.call(STORE, 22, t.put(0, '07ab'), 2, BPF_F_RECOMPUTE_CSUM)).toBe(0n);
    expect(t.call(STORE, 41, t.put(0, 'cdef01'), 3, BPF_F_RECOMPUTE_CSUM)).toBe(0n);
    const fold = (x: number): number => ((x & 0xffff) + (x >>> 16)) % 0xffff;
    expect(fold(skb.csum)).toBe(fold(csumPartial(skb.buf, skb.data, skb.len, 0)));
  });

  it('makes earlier packet pointers stale (changes packet data)', () => {
    const t = new HelperBench(TCP_FRAME);
    const before = t.memory.packetTag;
    t.call(STORE, 0, t.put(0, '02'), 1, 0);
    expect(t.memory.packetTag).not.toBe(before);
    expect(() => t.memory.resolve(before, t.skb.data, 1, false)).toThrow(/invalidated by bpf_skb_store_bytes/);
  });
});

describe('skb_pull_data', () => {
  it('succeeds within the packet (0 = whole linear part) and fails past it with -ENOMEM', () => {
    const t = new HelperBench(TCP_FRAME);
    expect(t.call(PULL, 0)).toBe(0n);
    expect(t.call(PULL, t.skb.len)).toBe(0n);
    expect(t.call(PULL, t.skb.len + 1)).toBe(ENOMEM);
  });
});

