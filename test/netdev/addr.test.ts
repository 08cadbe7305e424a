import { describe, expect, it } from 'vitest';
import { formatIp, formatMac, parseIp, parseMac, parsePrefix, prefixMatch } from '../../src/netdev/addr.js';

describe('addresses', () => {
  it('parses and prints IPv4', () => {
    expect(formatIp(parseIp('10.1.2.3'))).toBe('10.1.2.3');
    expect(() => parseIp('10.1.2.256')).toThrow(/EINVAL/);
  });
  it('prints IPv6 with RFC 5952 compression', () => {
    expect(formatIp(parseIp('fd00:0:0:0:0:0:0:1'))).toBe('fd00::1');
    expect(formatIp(parseIp('2001:db8:0:1:0:0:0:1'))).toBe('2001:db8:0:1::1');
    expect(formatIp(parseIp('::'))).toBe('::');
    expect(formatIp(parseIp('::ffff:10.0.0.1'))).toBe('::ffff:10.0.0.1');
    expect(formatIp(parseIp('1:0:1:0:1:0:1:0'))).toBe('1:0:1:0:1:0:1:0');
  });
  it('parses prefixes and default', () => {
    expect(parsePrefix('10.0.0.0/8').len).toBe(8);
    expect(parsePrefix('default').len).toBe(0);
    expect(parsePrefix('fd00::1').len).toBe(128);
    expect(() => parsePrefix('10.0.0.0/33')).toThrow(/prefix length/);
  });
  it('matches prefixes bit by bit', () => {
    expect(prefixMatch(parseIp('10.0.0.0'), parseIp('10.0.0.200'), 24)).toBe(true);
    expect(prefixMatch(parseIp('10.0.0.128'), parseIp('10.0.0.100'), 25)).toBe(false);
  });
  it('parses MACs', () => {
    expect(formatMac(parseMac('2:0:0:aa:bb:cc'))).toBe('02:00:00:aa:bb:cc');
    expect(() => parseMac('02:00')).toThrow(/MAC/);
  });
});
