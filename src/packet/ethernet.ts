// ethernet.ts: Ethernet II headers with any stack of 802.1Q/802.1ad (QinQ) tags. The parser
// walks tags until a non-VLAN ethertype, as the kernel's __vlan_get_protocol does; `etherType`
// is the one after the tags, `vlans` lists the tags outermost first.
import { formatMac, macBytes, type MacLike } from './addr.js';
import { get16, put16 } from './bytes.js';
import { ETH_ALEN, ETH_HLEN, ETH_P_8021AD, ETH_P_8021Q, ETH_P_QINQ1, VLAN_HLEN } from './constants.js';
import { truncated, type Truncated } from './result.js';

export interface VlanTag {
  /** The TPID that introduced this tag (0x8100, 0x88a8 or 0x9100). */
  tpid: number;
  pcp: number;
  dei: boolean;
  vid: number;
}

export interface VlanHeader extends VlanTag {
  kind: 'vlan';
  offset: number;
  /** The ethertype after this tag. */
  etherType: number;
  payloadOffset: number;
}

export interface EthernetHeader {
  kind: 'ethernet';
  offset: number;
  dst: string;
  src: string;
  /** Ethertype after all VLAN tags. */
  etherType: number;
  vlans: VlanTag[];
  /** 14 plus 4 per tag. */
  headerLength: number;
  payloadOffset: number;
}

export function isVlanTpid(t: number): boolean {
  return t === ETH_P_8021Q || t === ETH_P_8021AD || t === ETH_P_QINQ1;
}

/** One tag: `off` points at its TPID (the ethertype field that announced it). */
export function parseVlan(b: Uint8Array, off = 0, end = b.length): VlanHeader | Truncated {
  if (end - off < VLAN_HLEN + 2) return truncated('vlan', off, VLAN_HLEN + 2, end - off);
  const tci = get16(b, off + 2);
  return {
    kind: 'vlan',
    offset: off,
    tpid: get16(b, off),
    pcp: tci >> 13,
    dei: (tci & 0x1000) !== 0,
    vid: tci & 0x0fff,
    etherType: get16(b, off + 4),
    payloadOffset: off + VLAN_HLEN + 2,
  };
}

/** Writes TPID + TCI at `off` (the next ethertype is the caller's); returns 4. */
export function writeVlan(b: Uint8Array, off: number, tag: Partial<VlanTag> & { vid: number }): number {
  put16(b, off, tag.tpid ?? ETH_P_8021Q);
  put16(b, off + 2, ((tag.pcp ?? 0) << 13) | (tag.dei ? 0x1000 : 0) | (tag.vid & 0x0fff));
  return VLAN_HLEN;
}

export function parseEthernet(b: Uint8Array, off = 0, end = b.length): EthernetHeader | Truncated {
  if (end - off < ETH_HLEN) return truncated('ethernet', off, ETH_HLEN, end - off);
  const vlans: VlanTag[] = [];
  let t = off + 2 * ETH_ALEN;
  let type = get16(b, t);
  while (isVlanTpid(type)) {
    const v = parseVlan(b, t, end);
    if (v.kind === 'truncated') return truncated('ethernet', off, t - off + VLAN_HLEN + 2, end - off);
    vlans.push({ tpid: v.tpid, pcp: v.pcp, dei: v.dei, vid: v.vid });
    t += VLAN_HLEN;
    type = v.etherType;
  }
  const headerLength = t + 2 - off;
  return {
    kind: 'ethernet',
    offset: off,
    dst: formatMac(b, off),
    src: formatMac(b, off + ETH_ALEN),
    etherType: type,
    vlans,
    headerLength,
    payloadOffset: off + headerLength,
  };
}

export interface EthernetFields {
  dst: MacLike;
  src: MacLike;
  etherType: number;
  vlans?: (Partial<VlanTag> & { vid: number })[];
}

export function ethernetHeaderLength(f: { vlans?: unknown[] }): number {
  return ETH_HLEN + VLAN_HLEN * (f.vlans?.length ?? 0);
}

/** Writes the header (tags outermost first) at `off`; returns its length. */
export function writeEthernet(b: Uint8Array, off: number, f: EthernetFields): number {
  b.set(macBytes(f.dst), off);
  b.set(macBytes(f.src), off + ETH_ALEN);
  let t = off + 2 * ETH_ALEN;
  for (const tag of f.vlans ?? []) t += writeVlan(b, t, tag);
  put16(b, t, f.etherType);
  return t + 2 - off;
}
