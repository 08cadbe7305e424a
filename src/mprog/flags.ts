// flags.ts: the BPF_F_* attach-flag bits and limits that bpf_mprog understands
// (include/uapi/linux/bpf.h, include/linux/bpf_mprog.h). One table, kernel names.

export const BPF_F_ALLOW_OVERRIDE = 1 << 0;
export const BPF_F_ALLOW_MULTI = 1 << 1;
export const BPF_F_REPLACE = 1 << 2;
export const BPF_F_BEFORE = 1 << 3;
export const BPF_F_AFTER = 1 << 4;
export const BPF_F_ID = 1 << 5;
export const BPF_F_PREORDER = 1 << 6;
/** Relative object is a link (cilium/ebpf: BPF_F_LINK_MPROG). */
export const BPF_F_LINK = 1 << 13;

/** BPF_F_QUERY_EFFECTIVE: a query flag, rejected by bpf_mprog_query. */
export const BPF_F_QUERY_EFFECTIVE = 1 << 0;

/** The flag bits BPF_PROG_ATTACH/DETACH accept for mprog attach types (0x203C). */
export const BPF_MPROG_FLAGS_MASK = BPF_F_REPLACE | BPF_F_BEFORE | BPF_F_AFTER | BPF_F_ID | BPF_F_LINK;

/** Array slots in a bundle; the last one stays NULL as the end marker. */
export const BPF_MPROG_MAX = 64;
/** bpf_mprog_max(): programs (opts and links together) that fit on one hook. */
export const MPROG_MAX_PROGS = BPF_MPROG_MAX - 1;
