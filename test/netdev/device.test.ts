import { describe, expect, it } from 'vitest';
import { World } from '../../src/netdev/world.js';

describe('NetDevice', () => {
  it('names itself ns/name, built once and rebuilt after a move to another namespace', () => {
    const w = new World();
    const pod = w.addNamespace('pod');
    const eth0 = w.addWire('init', 'eth0');
    expect(eth0.path).toBe('init/eth0');
    expect(eth0.path).toBe(eth0.path);
    eth0.ns = pod;
    expect(eth0.path).toBe('pod/eth0');
  });
  it('has the broadcast address eth_type_trans compares with: all ones, all zero on loopback', () => {
    const w = new World();
    expect([...w.addWire('init', 'eth0').broadcast]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect([...w.device('lo').broadcast]).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
