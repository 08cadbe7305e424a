// prog-section.ts: program type and expected attach type from a code section's name, by
// cilium/ebpf's rule (elf_sections.go matchSectionName): a leading `?` is dropped and each
// pattern is a prefix, scanned in order, so `tc/entry`, `tc/tail`, `classifier/x` are SCHED_CLS.
import { BPF_PROG_TYPE } from '../spec.js';

export type AttachTypeName = 'tcx_ingress' | 'tcx_egress' | 'netkit_primary' | 'netkit_peer';

export interface ProgSectionType {
  readonly type: number;
  readonly attachType?: AttachTypeName;
}

/** libbpf section_defs for the tc family plus the common others, most specific first. */
const SECTION_DEFS: readonly (readonly [string, ProgSectionType])[] = [
  ['tc/ingress', { type: BPF_PROG_TYPE.SCHED_CLS, attachType: 'tcx_ingress' }],
  ['tc/egress', { type: BPF_PROG_TYPE.SCHED_CLS, attachType: 'tcx_egress' }],
  ['tcx/ingress', { type: BPF_PROG_TYPE.SCHED_CLS, attachType: 'tcx_ingress' }],
  ['tcx/egress', { type: BPF_PROG_TYPE.SCHED_CLS, attachType: 'tcx_egress' }],
  ['netkit/primary', { type: BPF_PROG_TYPE.SCHED_CLS, attachType: 'netkit_primary' }],
  ['netkit/peer', { type: BPF_PROG_TYPE.SCHED_CLS, attachType: 'netkit_peer' }],
  ['tc', { type: BPF_PROG_TYPE.SCHED_CLS }],
  ['classifier', { type: BPF_PROG_TYPE.SCHED_CLS }],
  ['action', { type: BPF_PROG_TYPE.SCHED_ACT }],
  ['xdp', { type: BPF_PROG_TYPE.XDP }],
  ['socket', { type: BPF_PROG_TYPE.SOCKET_FILTER }],
  ['kprobe/', { type: BPF_PROG_TYPE.KPROBE }],
  ['kretprobe/', { type: BPF_PROG_TYPE.KPROBE }],
  ['tracepoint/', { type: BPF_PROG_TYPE.TRACEPOINT }],
];

/** Unknown names (iproute2's `2/7`, Cilium's `from-container`) give UNSPEC; the caller picks a type. */
export function progSectionType(section: string): ProgSectionType {
  const name = section.startsWith('?') ? section.slice(1) : section;
  for (const [prefix, def] of SECTION_DEFS) if (name.startsWith(prefix)) return def;
  return { type: BPF_PROG_TYPE.UNSPEC };
}

/** iproute2's tail-call convention: section `<map id>/<slot>` fills that prog array slot. */
export function legacyTailSlot(section: string): { readonly id: number; readonly slot: number } | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(section);
  return m ? { id: Number(m[1]), slot: Number(m[2]) } : undefined;
}
