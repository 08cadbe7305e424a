// linktype.ts: the LINKTYPE_* values a capture file header or pcapng IDB may carry, and
// which of them tcxsim can feed to a device (Ethernet as is; raw IP after synthesizing an
// Ethernet header, see raw-ip.ts). Numbers are tcpdump.org's link-layer header type registry.

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
/** OpenBSD/DLT_RAW on some systems; the payload starts with an IPv4 or IPv6 header. */
export const LINKTYPE_RAW_12 = 12;
export const LINKTYPE_RAW_14 = 14;
/** LINKTYPE_RAW: IPv4 or IPv6, told apart by the version nibble. */
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;

const NAMES: Record<number, string> = {
  [LINKTYPE_NULL]: 'NULL',
  [LINKTYPE_ETHERNET]: 'ETHERNET',
  [LINKTYPE_RAW_12]: 'RAW',
  [LINKTYPE_RAW_14]: 'RAW',
  [LINKTYPE_RAW]: 'RAW',
  [LINKTYPE_LINUX_SLL]: 'LINUX_SLL',
  [LINKTYPE_IPV4]: 'IPV4',
  [LINKTYPE_IPV6]: 'IPV6',
};

export function linkTypeName(linkType: number): string {
  return NAMES[linkType] ?? `unknown`;
}

/** True for the link types whose records carry a bare IPv4/IPv6 packet. */
export function isRawIpLinkType(linkType: number): boolean {
  return (
    linkType === LINKTYPE_RAW ||
    linkType === LINKTYPE_IPV4 ||
    linkType === LINKTYPE_IPV6 ||
    linkType === LINKTYPE_RAW_12 ||
    linkType === LINKTYPE_RAW_14
  );
}

/** Link types the reader accepts by default: what a simulated Ethernet device can receive. */
export function isSupportedLinkType(linkType: number): boolean {
  return linkType === LINKTYPE_ETHERNET || isRawIpLinkType(linkType);
}

export const SUPPORTED_LINK_TYPES_TEXT = 'ETHERNET (1), RAW (101, 12, 14), IPV4 (228), IPV6 (229)';
