// tunnel.test.ts: skb_set_tunnel_key / get_tunnel_key / set_tunnel_opt / get_tunnel_opt: flag and
// size checks, compat layouts, zero-filling on failure, and the kernel's src/dst view of a key.
import { describe, expect, it } from 'vitest';
import {
  BPF_FUNC_skb_get_tunnel_key as GET,
  BPF_FUNC_skb_get_tunnel_opt as GET_OPT,
  BPF_FUNC_skb_set_tunnel_key as SET,
  BPF_FUNC_skb_set_tunnel_opt as SET_OPT,
  BPF_F_DONT_FRAGMENT,
  BPF_F_TUNINFO_FLAGS,
  BPF_F_TUNINFO_IPV6,
  BPF_F_ZERO_CSUM_TX,
  TUNNEL_CSUM,
  TUNNEL_DONT_FRAGMENT,
  TUNNEL_KEY,
  TUNNEL_NOCACHE,
} from '../../../src/bpf/helpers/tunnel.js';
import { HelperBench } from './harness.js';

const FRAME = '02000000000202000000000108004500002112344000401114960a0000010a00000214e90035000d86cb7175657279';
const EINVAL = -22n;

/** struct bpf_tunnel_key for IPv4: id 42, remote 10.1.0.2, tos 0x10, ttl 64, local 10.1.0.1. */
function key4(label = 0, ext = 0): Uint8Array {
  const k = new Uint8Array(44);
  const v = new DataView(k.buffer);
  v.setUint32(0, 42, true);
  v.setUint32(4, 0x0a010002, true);
  k[20] = 0x10;
  k[21] = 64;
  v.setUint16(22, ext, true);
  v.setUint32(24, label, true);
  v.setUint32(28, 0x0a010001, true);
  return k;
}

describe('skb_set_tunnel_key', () => {
  it('attaches TX metadata with the kernel flags', () => {
    const t = new HelperBench(FRAME);
    expect(t.call(SET, t.put(0, key4()), 44, BPF_F_DONT_FRAGMENT)).toBe(0n);
    const info = t.skb.tunnel;
    expect(info.present && info.tx && !info.ipv6).toBe(true);
    expect(info.id).toBe(42);
    expect(info.remoteIpv4).toBe(0x0a010002);
    expect(info.localIpv4).toBe(0x0a010001);
    expect(info.flags).toBe(TUNNEL_NOCACHE | TUNNEL_DONT_FRAGMENT | TUNNEL_CSUM | TUNNEL_KEY);
    expect(t.call(SET, t.put(0, key4()), 44, BPF_F_ZERO_CSUM_TX)).toBe(0n);
    expect(info.flags & TUNNEL_CSUM).toBe(0);
  });

  it('refuses unknown flags, odd sizes, an IPv4 label and a non-zero tunnel_ext', () => {
    const t = new HelperBench(FRAME);
    expect(t.call(SET, t.put(0, key4()), 44, 0x20)).toBe(EINVAL);
    expect(t.call(SET, t.put(0, key4()), 40, 0)).toBe(EINVAL);
    expect(t.call(SET, t.put(0, key4(5)), 44, 0)).toBe(EINVAL);
    expect(t.call(SET, t.put(0, key4(0, 1)), 44, 0)).toBe(EINVAL);
    expect(t.skb.tunnel.present).toBe(false);
    expect(t.call(SET, t.put(0, key4(5)), 44, BPF_F_TUNINFO_IPV6)).toBe(0n);
    expect(t.skb.tunnel.label).toBe(5);
  });

  it('accepts the old 28/24/22/8-byte layouts, zero-padding the rest', () => {
    const t = new HelperBench(FRAME);
    expect(t.call(SET, t.put(0, key4().subarray(0, 8)), 8, 0)).toBe(0n);
    expect(t.skb.tunnel.remoteIpv4).toBe(0x0a010002);
    expect(t.skb.tunnel.ttl).toBe(0);
  });
});

describe('skb_get_tunnel_key', () => {
  it('-EINVAL without metadata, zero-filling the buffer', () => {
    const t = new HelperBench(FRAME);
    t.put(100, new Uint8Array(44).fill(0xaa));
    expect(t.call(GET, { ptr: 100 }, 44, 0)).toBe(EINVAL);
    expect(t.bytesAt(100, 44)).toBe('00'.repeat(44));
  });

  it('reads key.src as remote, so a TX key reads back with the addresses swapped', () => {
    const t = new HelperBench(FRAME);
    t.call(SET, t.put(0, key4()), 44, 0);
    expect(t.call(GET, { ptr: 100 }, 44, BPF_F_TUNINFO_FLAGS)).toBe(0n);
    const v = new DataView(t.scratch.buffer, 100, 44);
    expect(v.getUint32(0, true)).toBe(42);
    expect(v.getUint32(4, true)).toBe(0x0a010001);
    expect(v.getUint32(28, true)).toBe(0x0a010002);
    expect(t.scratch[120]).toBe(0x10);
    expect(t.scratch[121]).toBe(64);
    expect(v.getUint16(22, false)).toBe(TUNNEL_NOCACHE | TUNNEL_CSUM | TUNNEL_KEY);
  });

  it('-EPROTO for the wrong family; the 8-byte layout only for IPv4', () => {
    const t = new HelperBench(FRAME);
    t.call(SET, t.put(0, key4()), 44, BPF_F_TUNINFO_IPV6);
    expect(t.call(GET, { ptr: 100 }, 44, 0)).toBe(-71n);
    expect(t.call(GET, { ptr: 100 }, 8, BPF_F_TUNINFO_IPV6)).toBe(EINVAL);
    expect(t.call(GET, { ptr: 100 }, 24, BPF_F_TUNINFO_IPV6)).toBe(0n);
    expect(t.call(GET, { ptr: 100 }, 44, 4)).toBe(EINVAL);
  });

  it('reads RX metadata (from a collect_md device) with remote = outer source', () => {
    const t = new HelperBench(FRAME);
    const info = t.skb.tunnel;
    info.present = true;
    info.remoteIpv4 = 0x01020304;
    info.localIpv4 = 0x05060708;
    expect(t.call(GET, { ptr: 0 }, 44, 0)).toBe(0n);
    const v = new DataView(t.scratch.buffer, 0, 44);
    expect(v.getUint32(4, true)).toBe(0x01020304);
    expect(v.getUint32(28, true)).toBe(0x05060708);
  });
});

describe('skb_set/get_tunnel_opt', () => {
  it('options need our own TX key; sizes are multiples of 4 up to 255', () => {
    const t = new HelperBench(FRAME);
    const opt = t.put(200, '0102030405060708');
    expect(t.call(SET_OPT, opt, 8)).toBe(EINVAL);
    t.call(SET, t.put(0, key4()), 44, 0);
    expect(t.call(SET_OPT, opt, 6)).toBe(EINVAL);
    expect(t.call(SET_OPT, opt, 256)).toBe(-12n);
    expect(t.call(GET_OPT, { ptr: 300 }, 8)).toBe(-2n); // no options yet
    expect(t.call(SET_OPT, opt, 8)).toBe(0n);
    t.put(300, new Uint8Array(12).fill(0xee));
    expect(t.call(GET_OPT, { ptr: 300 }, 4)).toBe(-12n);
    expect(t.bytesAt(300, 4)).toBe('00000000');
    expect(t.call(GET_OPT, { ptr: 300 }, 12)).toBe(8n);
    expect(t.bytesAt(300, 12)).toBe('010203040506070800000000');
  });
});
