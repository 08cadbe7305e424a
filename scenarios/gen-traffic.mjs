#!/usr/bin/env node
// gen-traffic.mjs: writes the example scenarios' captures, deterministically (same bytes on every
// run, no dependencies). Scenarios name this script as `generate:` next to a `pcap:`, and the
// runner calls generate(path) when the capture is missing or older than this file; by hand:
//   node scenarios/gen-traffic.mjs [outdir]      (default scenarios/.cache)
// Captures are classic pcap, microsecond timestamps, Ethernet link type.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const T0 = 1_700_000_000; // 2023-11-14T22:13:20Z

// ------------------------------------------------------------------ frames

const mac = (s) => s.split(':').map((x) => parseInt(x, 16));
const ip4 = (s) => s.split('.').map(Number);

function sum16(b, off, len, acc = 0) {
  for (let i = 0; i + 1 < len; i += 2) acc += (b[off + i] << 8) | b[off + i + 1];
  if (len & 1) acc += b[off + len - 1] << 8;
  return acc;
}
const fold = (acc) => {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return ~acc & 0xffff;
};

/** Ethernet + IPv4 (no options) + TCP/UDP/ICMP echo with correct checksums. */
function frame({ srcMac, dstMac, src, dst, proto, sport = 0, dport = 0, flags = 0x02, seq = 1, payload = 0, ttl = 64, id = 1 }) {
  const l4len = proto === 6 ? 20 : 8;
  const total = 20 + l4len + payload;
  const b = new Uint8Array(14 + total);
  b.set(mac(dstMac), 0);
  b.set(mac(srcMac), 6);
  b[12] = 0x08;
  const ip = 14;
  b[ip] = 0x45;
  b[ip + 2] = total >> 8;
  b[ip + 3] = total & 0xff;
  b[ip + 4] = id >> 8;
  b[ip + 5] = id & 0xff;
  b[ip + 6] = 0x40; // DF
  b[ip + 8] = ttl;
  b[ip + 9] = proto;
  b.set(ip4(src), ip + 12);
  b.set(ip4(dst), ip + 16);
  const c = fold(sum16(b, ip, 20));
  b[ip + 10] = c >> 8;
  b[ip + 11] = c & 0xff;
  const l4 = ip + 20;
  for (let i = 0; i < payload; i++) b[l4 + l4len + i] = i & 0xff;
  if (proto === 1) {
    b[l4] = 8; // echo request
    b[l4 + 4] = sport >> 8;
    b[l4 + 5] = sport & 0xff;
    b[l4 + 7] = seq & 0xff;
    const k = fold(sum16(b, l4, 8 + payload));
    b[l4 + 2] = k >> 8;
    b[l4 + 3] = k & 0xff;
    return b;
  }
  b[l4] = sport >> 8;
  b[l4 + 1] = sport & 0xff;
  b[l4 + 2] = dport >> 8;
  b[l4 + 3] = dport & 0xff;
  let csumOff;
  if (proto === 6) {
    b[l4 + 4] = (seq >>> 24) & 0xff;
    b[l4 + 5] = (seq >>> 16) & 0xff;
    b[l4 + 6] = (seq >>> 8) & 0xff;
    b[l4 + 7] = seq & 0xff;
    b[l4 + 12] = 5 << 4;
    b[l4 + 13] = flags;
    b[l4 + 14] = 0xff;
    b[l4 + 15] = 0xff;
    csumOff = l4 + 16;
  } else {
    b[l4 + 4] = (8 + payload) >> 8;
    b[l4 + 5] = (8 + payload) & 0xff;
    csumOff = l4 + 6;
  }
  const len = l4len + payload;
  const pseudo = sum16(b, ip + 12, 8) + proto + len;
  let k = fold(sum16(b, l4, len, pseudo));
  if (proto === 17 && k === 0) k = 0xffff;
  b[csumOff] = k >> 8;
  b[csumOff + 1] = k & 0xff;
  return b;
}

// ------------------------------------------------------------------ pcap writer

class Pcap {
  constructor(path) {
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    this.path = path;
    this.fd = openSync(this.tmp, 'w');
    this.buf = new Uint8Array(1 << 20);
    this.dv = new DataView(this.buf.buffer);
    this.pos = 0;
    this.dv.setUint32(0, 0xa1b2c3d4, true);
    this.dv.setUint16(4, 2, true);
    this.dv.setUint16(6, 4, true);
    this.dv.setUint32(16, 262144, true);
    this.dv.setUint32(20, 1, true);
    this.pos = 24;
  }
  write(frame, usec) {
    if (this.pos + 16 + frame.length > this.buf.length) this.flush();
    const sec = Math.floor(usec / 1e6);
    this.dv.setUint32(this.pos, sec, true);
    this.dv.setUint32(this.pos + 4, usec - sec * 1e6, true);
    this.dv.setUint32(this.pos + 8, frame.length, true);
    this.dv.setUint32(this.pos + 12, frame.length, true);
    this.buf.set(frame, this.pos + 16);
    this.pos += 16 + frame.length;
  }
  flush() {
    let off = 0;
    while (off < this.pos) off += writeSync(this.fd, this.buf, off, this.pos - off);
    this.pos = 0;
  }
  async close() {
    this.flush();
    closeSync(this.fd);
    // rename last: a reader never sees a half-written capture under the real name
    const { renameSync } = await import('node:fs');
    renameSync(this.tmp, this.path);
  }
}

// ------------------------------------------------------------------ the captures

const NODE_MAC = '02:00:00:00:00:0a';
const CLIENT_MAC = '02:00:00:00:01:64';
const DENIED_MAC = '02:00:00:00:01:c8';

/** cilium-pod: a client reaching a ClusterIP service, the pod directly, the node, and a denied host. */
function ciliumPod(w) {
  let t = T0 * 1e6;
  const c = { srcMac: CLIENT_MAC, dstMac: NODE_MAC, src: '192.168.1.100' };
  for (let i = 0; i < 4; i++) w.write(frame({ ...c, dst: '10.96.0.10', proto: 6, sport: 40000 + i, dport: 80, seq: 1000 * (i + 1) }), (t += 1000));
  w.write(frame({ ...c, dst: '10.0.1.5', proto: 6, sport: 41000, dport: 8080, seq: 7 }), (t += 1000));
  for (let i = 0; i < 2; i++) {
    w.write(frame({ srcMac: DENIED_MAC, dstMac: NODE_MAC, src: '192.168.1.200', dst: '10.96.0.10', proto: 6, sport: 50000 + i, dport: 80 }), (t += 1000));
  }
  w.write(frame({ ...c, dst: '192.168.1.10', proto: 1, sport: 0x77, seq: 1, payload: 16 }), (t += 1000));
  w.write(frame({ ...c, dst: '10.96.0.10', proto: 6, sport: 42000, dport: 443 }), (t += 1000));
}

/** attach-order: a few UDP packets to the node, to see which programs of the chain run. */
function attachOrder(w) {
  let t = T0 * 1e6;
  for (let i = 0; i < 3; i++) {
    w.write(frame({ srcMac: CLIENT_MAC, dstMac: NODE_MAC, src: '192.168.1.100', dst: '192.168.1.10', proto: 17, sport: 5000 + i, dport: 9999, payload: 8 }), (t += 1000));
  }
}

/** mulberry32: a small seeded PRNG, so the big capture is the same on every machine. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export const FLOWS_PACKETS = 100_000;
export const FLOWS_FLOWS = 500;

/** flows-100k: 100,000 packets over 500 TCP/UDP flows with skewed popularity, 10 µs apart. */
function flows(w) {
  const rnd = prng(0x7c5);
  const list = [];
  for (let i = 0; i < FLOWS_FLOWS; i++) {
    list.push({
      src: `10.${1 + (i % 4)}.${(i >> 2) & 0xff}.${1 + (i % 250)}`,
      proto: i % 3 === 0 ? 17 : 6,
      sport: 1024 + ((i * 7919) % 60000),
      dport: [80, 443, 53, 8080, 5201][i % 5],
    });
  }
  let t = T0 * 1e6;
  for (let n = 0; n < FLOWS_PACKETS; n++) {
    // Every flow at least once, then a Zipf-like skew towards low flow numbers.
    const f = n < FLOWS_FLOWS ? list[n] : list[Math.floor(FLOWS_FLOWS * rnd() ** 3)];
    const payload = Math.floor(rnd() * 200);
    w.write(frame({ srcMac: CLIENT_MAC, dstMac: NODE_MAC, src: f.src, dst: '192.168.1.10', proto: f.proto, sport: f.sport, dport: f.dport, payload, id: n & 0xffff, flags: 0x10, seq: n }), (t += 10));
  }
}

const CAPTURES = { 'cilium-pod.pcap': ciliumPod, 'attach-order.pcap': attachOrder, 'flows-100k.pcap': flows };

/** Writes the capture named by `path`'s file name. */
export async function generate(path) {
  const make = CAPTURES[basename(path)];
  if (!make) throw new Error(`gen-traffic: no capture named ${basename(path)} (have ${Object.keys(CAPTURES).join(', ')})`);
  const w = new Pcap(path);
  make(w);
  await w.close();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '.cache');
  for (const name of Object.keys(CAPTURES)) {
    await generate(join(dir, name));
    process.stderr.write(`gen-traffic: ${join(dir, name)}\n`);
  }
}
