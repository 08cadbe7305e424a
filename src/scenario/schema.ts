// schema.ts: the scenario file format (scenarios/*.yaml), as one zod schema. Unknown keys are
// errors everywhere (strict objects), so a typo never silently does nothing. The README's
// "Scenario files" section documents the same shape for people.
import { z } from 'zod';

const name = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, _ . -');
/** `ns/dev`, or a bare device name in the `init` namespace. */
const devPath = z.string().regex(/^([A-Za-z0-9_.-]+\/)?[^\s/:]{1,15}$/, 'a device is `namespace/name`');
const hook = z.enum(['ingress', 'egress']);
/** hex bytes "0a000001" / "0a 00 00 01", or a byte array. */
const bytes = z.union([z.string().regex(/^([0-9a-fA-F]{2}\s*)*$/, 'hex bytes, e.g. "0a000001"'), z.array(z.number().int().min(0).max(255))]);
const errnoName = z.string().regex(/^(ok|E[A-Z0-9]+)$/, 'ok or an errno name such as ESTALE');

const device = z.strictObject({
  kind: z.enum(['veth', 'wire']),
  /** veth: the other end, `ns/name`; the pair is created once, from either end. */
  peer: devPath.optional(),
  mac: z.string().optional(),
  mtu: z.number().int().min(68).max(65535).optional(),
  up: z.boolean().optional(),
  addresses: z.array(z.string()).optional(),
  /** add a clsact qdisc (needed for classic filters; keeps the tcx revision alive) */
  clsact: z.boolean().optional(),
  /** net.ipv4.conf.<dev>.forwarding for this device alone (default: the namespace's) */
  forwarding: z.boolean().optional(),
});

const route = z.strictObject({
  dst: z.string(),
  via: z.string().optional(),
  dev: z.string().optional(),
  type: z.enum(['unicast', 'blackhole', 'unreachable', 'prohibit']).optional(),
  metric: z.number().int().min(0).optional(),
  src: z.string().optional(),
  mtu: z.number().int().min(0).optional(),
});

const neighbour = z.strictObject({ ip: z.string(), mac: z.string(), dev: z.string() });

const namespace = z.strictObject({
  forwarding: z.union([z.boolean(), z.strictObject({ ipv4: z.boolean().optional(), ipv6: z.boolean().optional() })]).optional(),
  devices: z.record(z.string(), device).optional(),
  routes: z.array(route).optional(),
  neighbours: z.array(neighbour).optional(),
});

const program = z.union([
  /** a program of a loaded object, by function name (or section) */
  z.strictObject({ object: name, prog: z.string().optional(), section: z.string().optional() }),
  /** inline assembly in llvm-objdump syntax */
  z.strictObject({ asm: z.string(), type: z.enum(['sched_cls']).optional() }),
]);

const mapInit = z.union([
  z.strictObject({
    /** `object/map` */
    map: z.string(),
    entries: z.array(z.strictObject({ key: bytes, value: bytes })).optional(),
    /** a `bpftool map dump -j` JSON file, relative to the scenario */
    file: z.string().optional(),
  }),
  z.strictObject({ prog_array: z.string(), index: z.number().int().min(0), prog: name }),
]);

/** Placement of a tcx attachment: head/tail, or relative to a program or link (`link:NAME`). */
const anchor = z.union([
  z.enum(['head', 'tail']),
  z.strictObject({ before: z.string() }),
  z.strictObject({ after: z.string() }),
  z.strictObject({ replace: z.string() }),
]);

const attachTarget = {
  dev: devPath,
  hook,
  prog: name,
  anchor: anchor.optional(),
  expected_revision: z.number().int().min(0).optional(),
};

const step = z.union([
  z.strictObject({ tcx: z.strictObject(attachTarget), expect: errnoName.optional() }),
  z.strictObject({ link: z.strictObject({ name, ...attachTarget }), expect: errnoName.optional() }),
  z.strictObject({
    link_update: z.strictObject({ link: name, prog: name, old: name.optional() }),
    expect: errnoName.optional(),
  }),
  z.strictObject({ link_detach: z.strictObject({ link: name }), expect: errnoName.optional() }),
  z.strictObject({
    detach: z.strictObject({ dev: devPath, hook, prog: name.optional(), anchor: anchor.optional(), expected_revision: z.number().int().min(0).optional() }),
    expect: errnoName.optional(),
  }),
  z.strictObject({
    filter: z.strictObject({
      dev: devPath,
      hook,
      prog: name,
      prio: z.number().int().min(1).max(0xffff).optional(),
      handle: z.number().int().min(1).optional(),
      /** direct-action (default true) */
      da: z.boolean().optional(),
      classid: z.string().optional(),
    }),
    expect: errnoName.optional(),
  }),
]);

/** A packet described inline; the builder fills checksums and lengths. */
const packet = z.strictObject({
  eth: z.strictObject({ src: z.string().optional(), dst: z.string().optional(), type: z.number().int().optional() }).optional(),
  vlan: z.strictObject({ id: z.number().int().min(0).max(4095), pcp: z.number().int().min(0).max(7).optional() }).optional(),
  ipv4: z.strictObject({ src: z.string(), dst: z.string(), ttl: z.number().int().optional(), tos: z.number().int().optional(), id: z.number().int().optional() }).optional(),
  ipv6: z.strictObject({ src: z.string(), dst: z.string(), hop_limit: z.number().int().optional() }).optional(),
  tcp: z.strictObject({ sport: z.number().int(), dport: z.number().int(), flags: z.string().optional(), seq: z.number().int().optional() }).optional(),
  udp: z.strictObject({ sport: z.number().int(), dport: z.number().int() }).optional(),
  icmp: z.strictObject({ type: z.union([z.literal('echo-request'), z.literal('echo-reply'), z.number().int()]), id: z.number().int().optional(), seq: z.number().int().optional() }).optional(),
  arp: z.strictObject({ op: z.enum(['request', 'reply']), sender_ip: z.string(), target_ip: z.string(), sender_mac: z.string().optional(), target_mac: z.string().optional() }).optional(),
  payload: z.union([z.string(), bytes]).optional(),
  /** raw frame bytes instead of layers */
  raw: bytes.optional(),
  count: z.number().int().min(1).optional(),
  /** seconds after the previous packet (default 0.001) */
  gap: z.number().min(0).optional(),
});

const traffic = z.union([
  /**
   * packets from a capture arrive on a wire port; `generate` names a committed script (relative
   * to the scenario, exporting `generate(pcapPath)`) that writes the capture when it is missing
   * or older than the script, so large captures stay out of the repository
   */
  z.strictObject({ port: devPath, pcap: z.string(), generate: z.string().optional() }),
  /** packets described inline arrive on a port (ingress), or are sent by the namespace from a device (egress) */
  z.strictObject({ port: devPath, packets: z.array(packet) }),
  z.strictObject({ send: devPath, packets: z.array(packet) }),
]);

const count = z.number().int().min(0);

const expectation = z.union([
  z.strictObject({ device: devPath, rx: count.optional(), tx: count.optional(), rx_dropped: count.optional(), tx_dropped: count.optional() }),
  z.strictObject({ capture: devPath, direction: z.enum(['rx', 'tx']), packets: count }),
  z.strictObject({ verdicts: z.strictObject({ prog: name, counts: z.record(z.string(), count) }) }),
  z.strictObject({ drops: z.strictObject({ reason: z.string().optional(), count }) }),
  z.strictObject({ delivered: z.strictObject({ ns: name, count }) }),
  z.strictObject({ map: z.string(), key: bytes, value: bytes.nullable() }),
  z.strictObject({ map: z.string(), entries: count }),
  z.strictObject({
    packet: z.strictObject({
      capture: devPath,
      direction: z.enum(['rx', 'tx']),
      index: z.number().int().min(0),
      /** `ipv4.dst`, `udp.dport`, `eth.src`, `len`, ... */
      field: z.string(),
      equals: z.union([z.string(), z.number()]),
    }),
  }),
  z.strictObject({
    order: z.strictObject({ dev: devPath, hook, progs: z.array(name), revision: z.number().int().min(1).optional() }),
  }),
  z.strictObject({ accounted: z.literal(true) }),
]);

export const scenarioSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  seed: z.number().int().optional(),
  cpus: z.number().int().min(1).max(64).optional(),
  engine: z.enum(['interpreter', 'compiled']).optional(),
  /** realtime start of the simulated clock (ISO 8601); default: the first packet's timestamp */
  clock: z.strictObject({ start: z.string().optional() }).optional(),
  namespaces: z.record(name, namespace).optional(),
  objects: z.record(name, z.string()).optional(),
  programs: z.record(name, program).optional(),
  maps: z.array(mapInit).optional(),
  steps: z.array(step).optional(),
  traffic: z.array(traffic).optional(),
  /** devices whose rx/tx are written as pcap files (default: every device except lo) */
  captures: z.union([z.literal('all'), z.literal('none'), z.array(devPath)]).optional(),
  expect: z.array(expectation).optional(),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioStep = z.infer<typeof step>;
export type ScenarioPacket = z.infer<typeof packet>;
export type ScenarioTraffic = z.infer<typeof traffic>;
export type ScenarioExpectation = z.infer<typeof expectation>;
export type ScenarioAnchor = z.infer<typeof anchor>;
export type ScenarioDevice = z.infer<typeof device>;
export type ScenarioNamespace = z.infer<typeof namespace>;
export type ScenarioMapInit = z.infer<typeof mapInit>;
export type ScenarioProgram = z.infer<typeof program>;
