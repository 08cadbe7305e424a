// helpers.ts: shared test data for the pcap tests: deterministic frames of varied sizes and
// a temporary directory that is removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Frame i: `len` bytes whose content depends on i, so mix-ups show. */
export function frame(i: number, len = 60 + ((i * 37) % 200)): Uint8Array {
  const f = new Uint8Array(len);
  for (let k = 0; k < len; k++) f[k] = (i * 31 + k * 7) & 0xff;
  return f;
}

export function withTmpDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'tcxsim-pcap-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
