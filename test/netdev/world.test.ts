import { describe, expect, it } from 'vitest';
import { parseIp, parsePrefix } from '../../src/netdev/addr.js';
import { World } from '../../src/netdev/world.js';

describe('World', () => {
  // Recorded on Linux 6.18: `ip link add va type veth peer name vb` gives vb ifindex 2 and va 3
  // (veth_newlink registers the peer first); deleting va frees 2 and 3, and the next pair gets 6/7
  // (allocation is cyclic per namespace, freed indexes are not reused).
  it('registers the veth peer first and allocates ifindexes cyclically', () => {
    const w = new World();
    const [va, vb] = w.addVeth({ ns: 'init', name: 'va' }, { ns: 'init', name: 'vb' });
    expect([vb.ifindex, va.ifindex]).toEqual([2, 3]);
    const [wa, wb] = w.addVeth({ ns: 'init', name: 'wa' }, { ns: 'init', name: 'wb' });
    expect([wb.ifindex, wa.ifindex]).toEqual([4, 5]);
    w.removeDevice(va);
    const [xa, xb] = w.addVeth({ ns: 'init', name: 'xa' }, { ns: 'init', name: 'xb' });
    expect([xb.ifindex, xa.ifindex]).toEqual([6, 7]);
    expect(w.ns('init').devices.has('vb')).toBe(false);
  });
  it('allocates per namespace: both ends of a cross-namespace pair get 2', () => {
    const w = new World();
    w.addNamespace('pod');
    const [va, vb] = w.addVeth({ ns: 'init', name: 'va' }, { ns: 'pod', name: 'vb' });
    expect([va.ifindex, vb.ifindex]).toEqual([2, 2]);
    expect(w.device('pod/vb')).toBe(vb);
    expect(va.peer).toBe(vb);
  });
  it('refuses duplicate names and bad names', () => {
    const w = new World();
    w.addWire('init', 'eth0');
    expect(() => w.addWire('init', 'eth0')).toThrow(/EEXIST/);
    expect(() => w.addWire('init', 'a/b')).toThrow(/EINVAL/);
    expect(() => w.device('nope/eth0')).toThrow(/ENOENT/);
  });
  it('derives local and connected routes from addresses; longest prefix wins', () => {
    const w = new World();
    const ns = w.ns('init');
    const eth0 = w.addWire('init', 'eth0');
    ns.addAddress(eth0, parsePrefix('10.0.0.1/24'));
    ns.routes.add({ dst: parsePrefix('default'), type: 'unicast', ifindex: eth0.ifindex, gateway: parseIp('10.0.0.254'), metric: 0, mtu: 0, table: 254 });
    ns.routes.add({ dst: parsePrefix('192.168.0.0/16'), type: 'blackhole', ifindex: 0, metric: 0, mtu: 0, table: 254 });
    expect(ns.routes.lookup(4, parseIp('10.0.0.1'))?.type).toBe('local');
    expect(ns.routes.lookup(4, parseIp('10.0.0.7'))?.gateway).toBeUndefined();
    expect(ns.routes.lookup(4, parseIp('8.8.8.8'))?.gateway).toEqual(parseIp('10.0.0.254'));
    expect(ns.routes.lookup(4, parseIp('192.168.1.1'))?.type).toBe('blackhole');
    expect(ns.localDevice(parseIp('10.0.0.1'))).toBe(eth0);
  });
  it('gives deterministic random MACs per seed, locally administered', () => {
    const a = new World(7).randomMac();
    expect(new World(7).randomMac()).toEqual(a);
    expect(a[0] & 0x03).toBe(0x02);
  });
});
