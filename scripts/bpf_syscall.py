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


libc.syscall.restype = ctypes.c_long


def bpf_raw(cmd, attr, size=ATTR_SIZE):
    """Runs bpf(cmd, attr) and returns (result, errno or 0, attr bytes after the call), failure
    included: batch operations report how many elements they did even when they fail."""
    buf = ctypes.create_string_buffer(bytes(attr).ljust(size, b'\0'), size)
    ret = libc.syscall(SYS_bpf, cmd, buf, size)
    return ret, (ctypes.get_errno() if ret < 0 else 0), buf.raw


def bpf(cmd, attr):
    """Runs bpf(cmd, attr); returns (result, attr bytes after the call); raises OSError on failure."""
    ret, e, raw = bpf_raw(cmd, attr)
    if ret < 0:
        raise OSError(e, f'bpf cmd {cmd}: {os.strerror(e)}')
    return ret, raw


def obj_get(path):
    """BPF_OBJ_GET: an fd for a pinned object."""
    p = ctypes.create_string_buffer(path.encode())
    fd, _ = bpf(BPF_OBJ_GET, struct.pack('<QII', ctypes.addressof(p), 0, 0))
    return fd
