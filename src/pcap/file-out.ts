// file-out.ts: opening an output capture file for a writer, and removing it again when the
// run that writes it fails (abort), so no half-written capture is left behind unnoticed.
import { openSync, unlinkSync } from 'node:fs';
import { SimError } from '../errors.js';

export function openForWrite(path: string): number {
  try {
    return openSync(path, 'w');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const known = code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'EPERM' || code === 'ENOSPC';
    throw new SimError(known ? code : 'EIO', `${path}: cannot create capture: ${(e as Error).message}`);
  }
}

export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone: nothing to clean up.
  }
}
