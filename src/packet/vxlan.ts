// vxlan.ts: VXLAN headers (RFC 7348): flags (I = VNI valid), a 24-bit VNI, then the inner
// Ethernet frame at payloadOffset. Carried in UDP to port 4789 (VXLAN_PORT).
import { get32, put32 } from './bytes.js';
import { VXLAN_FLAG_I, VXLAN_HLEN } from './constants.js';
import { truncated, type Truncated } from './result.js';

export interface VxlanHeader {
  kind: 'vxlan';
  offset: number;
  flags: number;
  vniValid: boolean;
  vni: number;
  payloadOffset: number;
}

export function parseVxlan(b: Uint8Array, off = 0, end = b.length): VxlanHeader | Truncated {
  if (end - off < VXLAN_HLEN) return truncated('vxlan', off, VXLAN_HLEN, end - off);
  const flags = b[off]!;
  return {
    kind: 'vxlan',
    offset: off,
    flags,
    vniValid: (flags & VXLAN_FLAG_I) !== 0,
    vni: get32(b, off + 4) >>> 8,
    payloadOffset: off + VXLAN_HLEN,
  };
}

export function writeVxlan(b: Uint8Array, off: number, f: { vni: number; flags?: number }): number {
  put32(b, off, ((f.flags ?? VXLAN_FLAG_I) << 24) >>> 0);
  put32(b, off + 4, ((f.vni & 0xffffff) << 8) >>> 0);
  return VXLAN_HLEN;
}
