// route-lookup.test.ts: the default rules' walk (local, main, default) shared by forwarding and
// bpf_fib_lookup: a table with no rule pointing at it is only reached by id.
import { describe, expect, it } from 'vitest';
import { parseIp, parsePrefix } from '../../../src/netdev/addr.js';
import { DEFAULT_RULE_TABLES, routeLookup } from '../../../src/netdev/stack/route-lookup.js';
import { RT_TABLE_DEFAULT, RT_TABLE_LOCAL, RT_TABLE_MAIN } from '../../../src/netdev/route.js';
import { World } from '../../../src/netdev/world.js';

function setup() {
  const w = new World();
  const eth0 = w.addWire('init', 'eth0');
  const ns = w.ns('init');
  const route = (dst: string, table: number, metric = 0) =>
    ns.routes.add({ dst: parsePrefix(dst), type: 'unicast', ifindex: eth0.ifindex, gateway: parseIp('10.9.9.9'), metric, mtu: 0, table });
  return { ns, route };
}

describe('routeLookup', () => {
  it('walks local, main, default in that order', () => {
    expect(DEFAULT_RULE_TABLES).toEqual([RT_TABLE_LOCAL, RT_TABLE_MAIN, RT_TABLE_DEFAULT]);
    const { ns, route } = setup();
    route('10.1.0.0/16', RT_TABLE_DEFAULT, 7);
    expect(routeLookup(ns, 4, parseIp('10.1.2.3'))?.metric).toBe(7);
    // main wins over default even with a shorter prefix (rules first, then longest prefix)
    route('10.0.0.0/8', RT_TABLE_MAIN, 3);
    expect(routeLookup(ns, 4, parseIp('10.1.2.3'))?.metric).toBe(3);
  });

  it('a table no default rule names is reached only by its id', () => {
    const { ns, route } = setup();
    route('10.2.0.0/16', 100, 9);
    expect(routeLookup(ns, 4, parseIp('10.2.0.1'))).toBeUndefined();
    expect(routeLookup(ns, 4, parseIp('10.2.0.1'), { table: 100 })?.metric).toBe(9);
  });
});
