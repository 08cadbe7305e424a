// sk-buff-layout.ts: struct __sk_buff (include/uapi/linux/bpf.h, 192 bytes) as data: every
// field's offset, size, how a SCHED_CLS program may touch it (net/core/filter.c
// tc_cls_act_is_valid_access -> bpf_skb_is_valid_access) and the width of the kernel field
// behind it (the `target_size` of bpf_convert_ctx_access, which decides narrow-read results).

export const SK_BUFF_SIZE = 192;

/** How a tc program may access a field. */
export type FieldAccess =
  | 'scalar' // 4-byte field: reads of 1/2/4 bytes (narrow), writes only if `writable`, 4 bytes
  | 'cb' // cb[0..4]: reads and writes of 1/2/4/8 bytes anywhere inside cb
  | 'pointer' // data/data_end/data_meta: exactly 4-byte plain (not sign-extending) reads
  | 'u64' // tstamp (read/write 8 bytes) and hwtstamp (read 8 bytes)
  | 'sk' // 8-byte read, yields a socket pointer or NULL
  | 'tstamp_type' // 1-byte read only
  | 'forbidden'; // sk_skb socket fields, flow_keys, padding

export interface SkBuffField {
  readonly name: string;
  readonly off: number;
  readonly size: number;
  readonly access: FieldAccess;
  readonly writable: boolean;
  /** Bytes of the kernel field behind it (4, 2 for u16-backed fields, 1 for pkt_type). */
  readonly target: number;
}

function f(name: string, off: number, size: number, access: FieldAccess, writable = false, target = 4): SkBuffField {
  return { name, off, size, access, writable, target };
}

/** Field ids, in offset order; `FIELD_AT[off]` maps each byte offset to one. */
export const SK_BUFF_FIELDS: readonly SkBuffField[] = [
  f('len', 0, 4, 'scalar'),
  f('pkt_type', 4, 4, 'scalar', false, 1),
  f('mark', 8, 4, 'scalar', true),
  f('queue_mapping', 12, 4, 'scalar', true, 2),
  f('protocol', 16, 4, 'scalar', false, 2),
  f('vlan_present', 20, 4, 'scalar'),
  f('vlan_tci', 24, 4, 'scalar', false, 2),
  f('vlan_proto', 28, 4, 'scalar', false, 2),
  f('priority', 32, 4, 'scalar', true),
  f('ingress_ifindex', 36, 4, 'scalar'),
  f('ifindex', 40, 4, 'scalar'),
  f('tc_index', 44, 4, 'scalar', true, 2),
  f('cb', 48, 20, 'cb', true),
  f('hash', 68, 4, 'scalar'),
  f('tc_classid', 72, 4, 'scalar', true, 2),
  f('data', 76, 4, 'pointer'),
  f('data_end', 80, 4, 'pointer'),
  f('napi_id', 84, 4, 'scalar'),
  f('family', 88, 4, 'forbidden'),
  f('remote_ip4', 92, 4, 'forbidden'),
  f('local_ip4', 96, 4, 'forbidden'),
  f('remote_ip6', 100, 16, 'forbidden'),
  f('local_ip6', 116, 16, 'forbidden'),
  f('remote_port', 132, 4, 'forbidden'),
  f('local_port', 136, 4, 'forbidden'),
  f('data_meta', 140, 4, 'pointer'),
  f('flow_keys', 144, 8, 'forbidden'),
  f('tstamp', 152, 8, 'u64', true, 8),
  f('wire_len', 160, 4, 'scalar'),
  f('gso_segs', 164, 4, 'scalar', false, 2),
  f('sk', 168, 8, 'sk', false, 8),
  f('gso_size', 176, 4, 'scalar', false, 2),
  f('tstamp_type', 180, 1, 'tstamp_type', false, 1),
  f('padding', 181, 3, 'forbidden'),
  f('hwtstamp', 184, 8, 'u64', false, 8),
];

/** Field index for each of the 192 byte offsets. */
export const FIELD_AT: Uint8Array = (() => {
  const at = new Uint8Array(SK_BUFF_SIZE);
  SK_BUFF_FIELDS.forEach((fd, i) => at.fill(i, fd.off, fd.off + fd.size));
  return at;
})();

/** Offsets by name, for code that builds or reads __sk_buff bytes (test-run ctx_in/ctx_out). */
export const SKB_OFF = {
  len: 0,
  pkt_type: 4,
  mark: 8,
  queue_mapping: 12,
  protocol: 16,
  vlan_present: 20,
  vlan_tci: 24,
  vlan_proto: 28,
  priority: 32,
  ingress_ifindex: 36,
  ifindex: 40,
  tc_index: 44,
  cb: 48,
  hash: 68,
  tc_classid: 72,
  data: 76,
  data_end: 80,
  napi_id: 84,
  family: 88,
  data_meta: 140,
  flow_keys: 144,
  tstamp: 152,
  wire_len: 160,
  gso_segs: 164,
  sk: 168,
  gso_size: 176,
  tstamp_type: 180,
  hwtstamp: 184,
} as const;

/** "cb[2]", "remote_ip6[1]" or the plain name, for messages. */
export function fieldName(off: number): string {
  const fd = SK_BUFF_FIELDS[FIELD_AT[off]];
  if (fd.name === 'cb' || fd.name === 'remote_ip6' || fd.name === 'local_ip6') {
    return `${fd.name}[${(off - fd.off) >> 2}]`;
  }
  return fd.name;
}
