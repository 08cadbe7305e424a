// errors.ts: the one error type tcxsim throws for bad input or refused operations.
// `code` is the kernel's errno name (EINVAL, ENOENT, ...) or a tcxsim-specific kind
// (EFORMAT for malformed files); the message says what and where.

/** Linux generic errno numbers, by name (include/uapi/asm-generic/errno-base.h, errno.h). */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOSPC: 28,
  ESPIPE: 29,
  ERANGE: 34,
  EDEADLK: 35,
  ENAMETOOLONG: 36,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ELOOP: 40,
  ENOMSG: 42,
  ENODATA: 61,
  ENOLINK: 67,
  EPROTO: 71,
  EBADMSG: 74,
  EOVERFLOW: 75,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENETDOWN: 100,
  ENETUNREACH: 101,
  ENOBUFS: 105,
  ETIMEDOUT: 110,
  EHOSTUNREACH: 113,
  EALREADY: 114,
  ESTALE: 116,
  ENOTSUPP: 524,
} as const;

export type ErrnoName = keyof typeof ERRNO;

/** Non-errno kinds: malformed input files and scenario/expectation problems. */
export type SimErrorCode = ErrnoName | 'EFORMAT' | 'EUSAGE';

export class SimError extends Error {
  override readonly name = 'SimError';
  constructor(
    readonly code: SimErrorCode,
    /** What and where, without the code (for wrapping: `new SimError(e.code, \`${ctx}: ${e.detail}\`)`). */
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }

  /** The negative errno a syscall or helper would return (-22 for EINVAL); EFORMAT/EUSAGE map to EINVAL. */
  get errno(): number {
    return this.code in ERRNO ? ERRNO[this.code as ErrnoName] : ERRNO.EINVAL;
  }
}

export function errnoName(value: number): string {
  const n = Math.abs(value);
  for (const [name, v] of Object.entries(ERRNO)) if (v === n) return name;
  return String(value);
}
