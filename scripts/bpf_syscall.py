"""bpf_syscall.py: the bpf(2) system call through ctypes (Python 3 standard library only), shared by
the kernel recorders under scripts/ and bench/kernel-test-run.py. x86-64 only (syscall 321)."""
import ctypes
import os
import struct

SYS_bpf = 321  # x86-64
BPF_OBJ_GET = 7
BPF_PROG_TEST_RUN = 10
ATTR_SIZE = 160
libc = ctypes.CDLL(None, use_errno=True)


def bpf(cmd, attr):
    """Runs bpf(cmd, attr); returns (result, attr bytes after the call); raises OSError on failure."""
    buf = ctypes.create_string_buffer(bytes(attr), ATTR_SIZE)
    ret = libc.syscall(SYS_bpf, cmd, buf, ATTR_SIZE)
    if ret < 0:
        e = ctypes.get_errno()
        raise OSError(e, f'bpf cmd {cmd}: {os.strerror(e)}')
    return ret, buf.raw


def obj_get(path):
    """BPF_OBJ_GET: an fd for a pinned object."""
    p = ctypes.create_string_buffer(path.encode())
    fd, _ = bpf(BPF_OBJ_GET, struct.pack('<QII', ctypes.addressof(p), 0, 0))
    return fd
