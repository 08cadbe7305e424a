// index.ts: the packet module's public surface: one parse/write pair per header, the
// Internet checksum, addresses, a frame builder for tests and scenarios, and summarize().
export * from './addr.js';
export * from './arp.js';
export * from './build.js';
export * from './checksum.js';
export * from './constants.js';
export * from './ethernet.js';
export * from './geneve.js';
export * from './icmp.js';
export * from './icmpv6.js';
export * from './ipv4.js';
export * from './ipv6.js';
export * from './l4-checksum.js';
export * from './result.js';
export * from './tcp.js';
export * from './udp.js';
export * from './vxlan.js';
export * from './summarize.js';
