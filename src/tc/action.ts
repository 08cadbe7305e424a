// action.ts: the tc action codes (include/uapi/linux/pkt_cls.h, include/net/pkt_cls.h) and the
// classid helpers of include/uapi/linux/pkt_sched.h, under the kernel's names.

export const TC_ACT_UNSPEC = -1;
export const TC_ACT_OK = 0;
export const TC_ACT_RECLASSIFY = 1;
export const TC_ACT_SHOT = 2;
export const TC_ACT_PIPE = 3;
export const TC_ACT_STOLEN = 4;
export const TC_ACT_QUEUED = 5;
export const TC_ACT_REPEAT = 6;
export const TC_ACT_REDIRECT = 7;
export const TC_ACT_TRAP = 8;
/** Kernel-internal (include/net/pkt_cls.h): the skb was consumed by the action, do not free it. */
export const TC_ACT_CONSUMED = 9;

/** ETH_P_ALL: a filter added without `protocol` matches every frame. */
export const ETH_P_ALL = 0x0003;

export function TC_H_MAJ(h: number): number {
  return (h & 0xffff0000) >>> 0;
}
export function TC_H_MIN(h: number): number {
  return h & 0x0000ffff;
}

/** `1:2` style, as tc prints a classid (`flowid`). */
export function formatClassid(h: number): string {
  const maj = TC_H_MAJ(h) >>> 16;
  return `${maj.toString(16)}:${TC_H_MIN(h).toString(16)}`;
}

/** Parses `1:2` (hex fields, as tc does) into a u32 classid. */
export function parseClassid(s: string): number | undefined {
  const m = /^([0-9a-fA-F]{0,4}):([0-9a-fA-F]{1,4})$/.exec(s);
  if (!m) return undefined;
  return ((parseInt(m[1] || '0', 16) << 16) | parseInt(m[2], 16)) >>> 0;
}

/**
 * cls_bpf_exec_opcode (net/sched/cls_bpf.c): in direct-action mode only these verdicts stand;
 * every other value (RECLASSIFY, PIPE, QUEUED, REPEAT, anything unknown) means "no verdict,
 * try the next filter".
 */
export function clsBpfExecOpcode(code: number): number {
  switch (code) {
    case TC_ACT_OK:
    case TC_ACT_SHOT:
    case TC_ACT_STOLEN:
    case TC_ACT_TRAP:
    case TC_ACT_REDIRECT:
    case TC_ACT_UNSPEC:
      return code;
    default:
      return TC_ACT_UNSPEC;
  }
}
