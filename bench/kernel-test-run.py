#!/usr/bin/env python3
"""kernel-test-run.py: the kernel JIT's time for programs of a clang object, for bench/jit.bench.ts.

usage: kernel-test-run.py OBJECT FRAME_HEX REPEAT ROUNDS PROG [PROG ...]

Loads OBJECT with `bpftool prog loadall ... type classifier` (maps pinned, so the hash map
survives between runs), runs each PROG with BPF_PROG_TEST_RUN (bpf(2) through ctypes, as
scripts/record-kernel-fixtures.py does) on FRAME `REPEAT` times per call, ROUNDS calls, and prints
one JSON object: {prog: {"ns": median of the kernel's per-run duration, "retval": r0}}.
Needs root, bpftool and a mounted bpffs; removes what it pinned. Exit status 2: not available.
"""
import ctypes
import json
import os
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'scripts'))
from bpf_syscall import BPF_PROG_TEST_RUN, bpf, obj_get  # noqa: E402


def test_run(fd, frame, repeat):
    din = ctypes.create_string_buffer(frame, len(frame))
    dout = ctypes.create_string_buffer(8192)
    attr = struct.pack('<IIIIQQIIIIQQIII', fd, 0, len(frame), 8192, ctypes.addressof(din), ctypes.addressof(dout),
                       repeat, 0, 0, 0, 0, 0, 0, 0, 0)
    _, raw = bpf(BPF_PROG_TEST_RUN, attr)
    retval = struct.unpack_from('<I', raw, 4)[0]
    duration = struct.unpack_from('<I', raw, 36)[0]
    return retval, duration


def main():
    if len(sys.argv) < 6:
        print(__doc__, file=sys.stderr)
        return 1
    obj, frame_hex, repeat, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    progs = sys.argv[5:]
    if os.geteuid() != 0 or shutil.which('bpftool') is None or not os.path.isdir('/sys/fs/bpf'):
        print('kernel-test-run: needs root, bpftool and /sys/fs/bpf', file=sys.stderr)
        return 2
    base = f'/sys/fs/bpf/tcxsim-bench-{os.getpid()}'
    pdir, mdir = f'{base}/progs', f'{base}/maps'
    os.makedirs(base, exist_ok=True)
    try:
        subprocess.run(['bpftool', 'prog', 'loadall', obj, pdir, 'pinmaps', mdir, 'type', 'classifier'],
                       check=True, capture_output=True)
        frame = bytes.fromhex(frame_hex)
        out = {}
        for name in progs:
            fd = obj_get(f'{pdir}/{name}')
            test_run(fd, frame, repeat)  # warm-up
            figures, retval = [], 0
            for _ in range(rounds):
                retval, ns = test_run(fd, frame, repeat)
                figures.append(ns)
            figures.sort()
            out[name] = {'ns': figures[len(figures) // 2], 'retval': retval}
            os.close(fd)
        print(json.dumps(out))
        return 0
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
