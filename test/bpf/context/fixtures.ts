// fixtures.ts: loads the kernel-recorded __sk_buff fixtures (test/fixtures/context/*.json,
// written by record-context.py) and builds skbs the way each recording did.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EthDevice } from '../../../src/bpf/skb/eth-type-trans.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'context');

export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(DIR, name), 'utf8')) as T;
}

export function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export interface Meta {
  kernel: string;
  veth: { name: string; ifindex: number; mac: string };
  rich_ctx_in: string;
}

/** The veth the recorder created, as a test-run device lookup. */
export function vethLookup(meta: Meta): (ifindex: number) => EthDevice | undefined {
  const dev: EthDevice = {
    ifindex: meta.veth.ifindex,
    mac: hex(meta.veth.mac.replace(/:/g, '')),
    broadcast: new Uint8Array(6).fill(0xff),
  };
  return (ifindex) => (ifindex === dev.ifindex ? dev : undefined);
}
