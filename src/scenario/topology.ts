// topology.ts: a scenario's `namespaces` section → a World: namespaces, veth pairs (made once,
// from whichever end is listed first), wire ports, addresses, routes, static neighbours and the
// forwarding switches, in file order so ifindexes are the same on every run.
import { SimError } from '../errors.js';
import { parseIp, parseMac, parsePrefix, prefixMatch } from '../netdev/addr.js';
import type { NetDevice } from '../netdev/device.js';
import type { NetNamespace } from '../netdev/netns.js';
import { maskPrefix } from '../netdev/netns.js';
import { RT_TABLE_MAIN } from '../netdev/route.js';
import { World } from '../netdev/world.js';
import { locatedAt } from './located.js';
import type { Scenario, ScenarioDevice } from './schema.js';

export type Where = (path: readonly (string | number)[]) => string;

/** `ns/dev` → [ns, dev]; a bare name is in `init`. */
export function splitDevPath(path: string): [string, string] {
  const slash = path.indexOf('/');
  return slash < 0 ? ['init', path] : [path.slice(0, slash), path.slice(slash + 1)];
}

export function normalizeDevPath(path: string): string {
  const [ns, dev] = splitDevPath(path);
  return `${ns}/${dev}`;
}

export function buildWorld(s: Scenario, where: Where): World {
  const world = new World(s.seed ?? 1);
  const nss = s.namespaces ?? {};
  for (const name of Object.keys(nss)) if (name !== 'init') world.addNamespace(name);
  // Peers named only as `peer:` still need their namespace.
  for (const [nsName, ns] of Object.entries(nss)) {
    for (const [devName, d] of Object.entries(ns.devices ?? {})) {
      if (d.kind === 'veth' && d.peer) {
        const [pns] = splitDevPath(d.peer);
        if (!world.namespaces.has(pns)) {
          throw new SimError('ENOENT', `${where(['namespaces', nsName, 'devices', devName, 'peer'])}: veth peer ${d.peer} is in netns ${pns}, which the scenario does not declare`);
        }
      }
    }
  }
  const conf = new Map<string, { d: ScenarioDevice; path: (string | number)[] }>();
  for (const [nsName, ns] of Object.entries(nss)) {
    for (const [devName, d] of Object.entries(ns.devices ?? {})) conf.set(`${nsName}/${devName}`, { d, path: ['namespaces', nsName, 'devices', devName] });
  }
  const made = new Set<string>();
  const at = (p: (string | number)[], f: () => void): void => locatedAt(where(p), f);
  for (const [key, { d, path }] of conf) {
    if (made.has(key)) continue;
    const [nsName, devName] = splitDevPath(key);
    at(path, () => {
      if (d.kind === 'wire') {
        if (d.peer) throw new SimError('EINVAL', `a wire port has no peer (its far side is the traffic and the capture)`);
        world.addWire(nsName, devName, d.mac ? parseMac(d.mac) : undefined);
        made.add(key);
        return;
      }
      if (!d.peer) throw new SimError('EINVAL', `veth ${key} needs \`peer: namespace/name\``);
      const peerKey = normalizeDevPath(d.peer);
      const [pns, pname] = splitDevPath(peerKey);
      const peerConf = conf.get(peerKey);
      if (peerConf) {
        if (peerConf.d.kind !== 'veth') throw new SimError('EINVAL', `peer ${peerKey} is declared as a ${peerConf.d.kind} device`);
        if (peerConf.d.peer && normalizeDevPath(peerConf.d.peer) !== key) {
          throw new SimError('EINVAL', `peer ${peerKey} names ${peerConf.d.peer} as its own peer, not ${key}`);
        }
      }
      world.addVeth(
        { ns: nsName, name: devName, mac: d.mac ? parseMac(d.mac) : undefined },
        { ns: pns, name: pname, mac: peerConf?.d.mac ? parseMac(peerConf.d.mac) : undefined },
      );
      made.add(key);
      made.add(peerKey);
    });
  }
  // Device settings, then routes and neighbours (which name devices).
  for (const [key, { d, path }] of conf) {
    const dev = world.device(key);
    at(path, () => configureDevice(dev, d, key));
  }
  for (const [nsName, ns] of Object.entries(nss)) {
    const netns = world.ns(nsName);
    if (ns.forwarding !== undefined) {
      const f = ns.forwarding;
      netns.forwarding[4] = typeof f === 'boolean' ? f : (f.ipv4 ?? false);
      netns.forwarding[6] = typeof f === 'boolean' ? f : (f.ipv6 ?? false);
    }
    (ns.routes ?? []).forEach((r, i) => at(['namespaces', nsName, 'routes', i], () => addRoute(netns, r)));
    (ns.neighbours ?? []).forEach((n, i) =>
      at(['namespaces', nsName, 'neighbours', i], () => {
        const dev = netns.device(n.dev);
        netns.neigh.add({ ifindex: dev.ifindex, ip: parseIp(n.ip, 'neighbour'), mac: parseMac(n.mac, 'neighbour mac') });
      }),
    );
  }
  return world;
}

function configureDevice(dev: NetDevice, d: ScenarioDevice, key: string): void {
  if (d.mtu !== undefined) dev.mtu = d.mtu;
  if (d.forwarding !== undefined) dev.ipv4Forwarding = d.forwarding;
  if (d.up !== undefined) dev.up = d.up;
  for (const a of d.addresses ?? []) dev.ns.addAddress(dev, parsePrefix(a, `${key} address`));
}

function addRoute(ns: NetNamespace, r: NonNullable<NonNullable<Scenario['namespaces']>[string]['routes']>[number]): void {
  const dst = maskPrefix(parsePrefix(r.dst, 'route dst'));
  const gateway = r.via ? parseIp(r.via, 'route via') : undefined;
  const type = r.type ?? 'unicast';
  let dev: NetDevice | undefined;
  if (r.dev) dev = ns.device(r.dev);
  else if (gateway) {
    // `ip route add X via G` finds the device whose connected prefix holds G.
    for (const d of ns.devices.values()) {
      if (d.addresses.some((a) => a.family === dst.family && a.addr.length === gateway.length && prefixMatch(a.addr, gateway, a.len))) dev = d;
    }
    if (!dev) throw new SimError('ENETUNREACH', `route ${r.dst} via ${r.via}: no device has a connected route to ${r.via}`);
  } else if (type === 'unicast') {
    throw new SimError('EINVAL', `route ${r.dst}: give \`dev\` or \`via\``);
  }
  ns.routes.add({
    dst,
    type,
    ifindex: dev?.ifindex ?? 0,
    gateway,
    metric: r.metric ?? (dst.family === 6 ? 1024 : 0),
    mtu: r.mtu ?? 0,
    table: RT_TABLE_MAIN,
    src: r.src ? parseIp(r.src, 'route src') : undefined,
  });
}
