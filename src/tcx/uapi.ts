// uapi.ts: the tcx numbers of include/uapi/linux/bpf.h and pkt_cls.h that tcxsim uses
// (values verified on Linux 6.18 by ../shared/oracle `probe`, spec §4).

/** enum bpf_attach_type */
export const BPF_TCX_INGRESS = 46;
export const BPF_TCX_EGRESS = 47;
export type TcxAttachType = typeof BPF_TCX_INGRESS | typeof BPF_TCX_EGRESS;

/** enum bpf_link_type */
export const BPF_LINK_TYPE_TCX = 11;

/** enum bpf_prog_type (the two the tcx control plane distinguishes). */
export const BPF_PROG_TYPE_SOCKET_FILTER = 1;
export const BPF_PROG_TYPE_SCHED_CLS = 3;

/** tcx program return codes (enum tcx_action_base). */
export const TCX_NEXT = -1;
export const TCX_PASS = 0;
export const TCX_DROP = 2;
export const TCX_REDIRECT = 7;

export type TcxHook = 'ingress' | 'egress';

export function attachTypeOf(hook: TcxHook): TcxAttachType {
  return hook === 'ingress' ? BPF_TCX_INGRESS : BPF_TCX_EGRESS;
}

export function isTcxAttachType(t: number): t is TcxAttachType {
  return t === BPF_TCX_INGRESS || t === BPF_TCX_EGRESS;
}

export function hookName(t: TcxAttachType): TcxHook {
  return t === BPF_TCX_INGRESS ? 'ingress' : 'egress';
}
