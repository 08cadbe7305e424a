// format.ts: on-disk constants of classic pcap (draft-ietf-opsawg-pcap) and pcapng
// (draft-ietf-opsawg-pcapng), with the names libpcap and the drafts use.

/** Classic pcap magics as read big-endian from the first four bytes. */
export const TCPDUMP_MAGIC = 0xa1b2c3d4;
export const NSEC_TCPDUMP_MAGIC = 0xa1b23c4d;
export const TCPDUMP_MAGIC_SWAPPED = 0xd4c3b2a1;
export const NSEC_TCPDUMP_MAGIC_SWAPPED = 0x4d3cb2a1;
/** Alexey Kuznetzov's modified format: 8 more bytes per record header; not supported. */
export const KUZNETZOV_TCPDUMP_MAGIC = 0xa1b2cd34;
export const KUZNETZOV_TCPDUMP_MAGIC_SWAPPED = 0x34cdb2a1;

export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;
export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;
/** libpcap's MAXIMUM_SNAPLEN: the snaplen we write and the caplen we believe without question. */
export const MAXIMUM_SNAPLEN = 262144;
/** The link-type field's low 26 bits; the top bits carry FCS information (LT_LINKTYPE). */
export const LT_LINKTYPE_MASK = 0x03ffffff;

// pcapng block types.
export const BT_SHB = 0x0a0d0d0a;
export const BT_IDB = 0x00000001;
/** Obsolete Packet Block. */
export const BT_PB = 0x00000002;
export const BT_SPB = 0x00000003;
export const BT_NRB = 0x00000004;
export const BT_ISB = 0x00000005;
export const BT_EPB = 0x00000006;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
export const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;

// pcapng options.
export const OPT_ENDOFOPT = 0;
export const OPT_COMMENT = 1;
export const SHB_USERAPPL = 4;
export const IF_NAME = 2;
export const IF_TSRESOL = 9;
export const IF_TSOFFSET = 14;

export const BLOCK_HEADER_LEN = 8;
/** type + total length + trailing total length. */
export const BLOCK_OVERHEAD = 12;
export const SHB_MIN_LEN = 28;
export const IDB_MIN_LEN = 20;
export const EPB_MIN_LEN = 32;
export const SPB_MIN_LEN = 16;
export const PB_MIN_LEN = 32;

export function blockName(type: number): string {
  switch (type) {
    case BT_SHB: return 'SHB';
    case BT_IDB: return 'IDB';
    case BT_PB: return 'PB';
    case BT_SPB: return 'SPB';
    case BT_NRB: return 'NRB';
    case BT_ISB: return 'ISB';
    case BT_EPB: return 'EPB';
    default: return `0x${type.toString(16).padStart(8, '0')}`;
  }
}

export function hex32(v: number): string {
  return `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
}
