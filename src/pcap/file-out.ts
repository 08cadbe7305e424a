// file-out.ts: where a capture writer's bytes go: a file (created on open, deleted again by
// abort() when the run that writes it fails, so no half-written capture is left behind
// unnoticed) or memory. PcapWriter and PcapngWriter share this; they only add their format.
import { openSync, unlinkSync } from 'node:fs';
import { SimError } from '../errors.js';
import { ByteSink } from './sink.js';

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

/** A sink on a new file at `path`, or in memory when `path` is null. */
export function sinkFor(path: string | null): ByteSink {
  return new ByteSink(path === null ? null : openForWrite(path));
}

/** The output half of a capture writer: its sink, record count, close and abort. */
export abstract class CaptureOut {
  /** Records written. */
  count = 0;
  protected closed = false;

  protected constructor(
    protected readonly sink: ByteSink,
    /** The file written, or null for a memory writer. */
    readonly path: string | null,
  ) {}

  /** Bytes written so far, headers included. */
  get length(): number {
    return this.sink.length;
  }

  /** The whole capture (memory writers only). */
  bytes(): Uint8Array {
    return this.sink.bytes();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.close();
  }

  /** Closes and deletes the file: for runs that failed part way. */
  abort(): void {
    this.close();
    if (this.path !== null) removeQuietly(this.path);
  }

  protected where(): string {
    return this.path ?? '<memory>';
  }

  /** The error for a write after close(). */
  protected writeAfterClose(): SimError {
    return new SimError('EBADF', `${this.where()}: write after close`);
  }
}
