#!/usr/bin/env python3
"""record-helper-truth.py: kernel truth for the helper families the bpf/ fixtures do not cover
(bpf_trace_printk, bpf_check_mtu, bpf_fib_lookup, the ring buffer, bpf_perf_event_output).
Each family is a small C file test/fixtures/helpers/truth_<family>.c whose programs store every
helper result in a global `res` array (.bss); the family is compiled, loaded with bpftool
(pinned under /sys/fs/bpf/tcxsim-truth), run with BPF_PROG_TEST_RUN, and written to
test/fixtures/helpers/truth_<family>.json together with what user space saw (trace lines, ring
records, perf samples). Everything created (pins, namespaces, trace settings) is removed again.

usage: sudo python3 scripts/record-helper-truth.py [printk|mtu|fib|ringbuf|perf ...]  (default: all)
Needs root, clang, bpftool, a mounted bpffs and tracefs. Runs pinned to CPU 0.
"""
import ctypes
import json
import mmap
import os
import platform
import re
import shutil
import struct
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.join(REPO, 'test', 'fixtures', 'helpers')
PIN_ROOT = '/sys/fs/bpf/tcxsim-truth'
TRACE = '/sys/kernel/tracing'
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bpf_syscall import bpf, libc, obj_get  # noqa: E402
import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location('rec', os.path.join(REPO, 'scripts', 'record-kernel-fixtures.py'))
rec = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rec)

BPF_MAP_LOOKUP_ELEM = 1
BPF_MAP_UPDATE_ELEM = 2
BPF_OBJ_GET_INFO_BY_FD = 15


def sh(*args, check=True):
    return subprocess.run(args, check=check, capture_output=True, text=True).stdout


def compile_obj(name):
    src = os.path.join(HERE, f'truth_{name}.c')
    obj = os.path.join(HERE, f'truth_{name}.o')
    subprocess.run(['clang', '-O2', '-g', '-target', 'bpf', '-Wall', '-I/usr/include/x86_64-linux-gnu',
                    f'-fdebug-prefix-map={REPO}=.', '-fno-ident', '-c', src, '-o', obj], check=True)
    return obj


class Loaded:
    """An object loaded with bpftool; progs and maps by name (fds), released by close()."""

    def __init__(self, name):
        self.name = name
        self.pdir = f'{PIN_ROOT}/{name}'
        self.mdir = f'{PIN_ROOT}/{name}-maps'
        shutil.rmtree(self.pdir, ignore_errors=True)
        shutil.rmtree(self.mdir, ignore_errors=True)
        os.makedirs(PIN_ROOT, exist_ok=True)
        sh('bpftool', 'prog', 'loadall', compile_obj(name), self.pdir, 'pinmaps', self.mdir, 'type', 'classifier')
        self.progs = {p: obj_get(f'{self.pdir}/{p}') for p in os.listdir(self.pdir)}
        self.maps = {}
        for m in os.listdir(self.mdir):
            fd = obj_get(f'{self.mdir}/{m}')
            self.maps[map_name(fd)] = fd

    def close(self):
        for fd in list(self.progs.values()) + list(self.maps.values()):
            os.close(fd)
        shutil.rmtree(self.pdir, ignore_errors=True)
        shutil.rmtree(self.mdir, ignore_errors=True)
        try:
            os.rmdir(PIN_ROOT)
        except OSError:
            pass

    def bss(self):
        return lookup(self.maps[[k for k in self.maps if k.endswith('.bss')][0]], b'\0' * 4)

    def clear_bss(self):
        fd = self.maps[[k for k in self.maps if k.endswith('.bss')][0]]
        update(fd, b'\0' * 4, b'\0' * map_info(fd)['value_size'])

    def run(self, prog, data, ctx=None):
        retval, dout, cout = rec.test_run(self.progs[prog], data, ctx)
        return retval, dout, cout


def map_info(fd):
    info = ctypes.create_string_buffer(88)
    bpf(BPF_OBJ_GET_INFO_BY_FD, struct.pack('<IIQ', fd, 88, ctypes.addressof(info)))
    typ, mid, ks, vs, me, fl = struct.unpack_from('<IIIIII', info.raw, 0)
    name = info.raw[24:40].split(b'\0')[0].decode()
    return {'type': typ, 'id': mid, 'key_size': ks, 'value_size': vs, 'max_entries': me, 'name': name}


def map_name(fd):
    return map_info(fd)['name']


def lookup(fd, key):
    vs = map_info(fd)['value_size']
    k = ctypes.create_string_buffer(key, len(key))
    v = ctypes.create_string_buffer(vs)
    bpf(BPF_MAP_LOOKUP_ELEM, struct.pack('<IIQQQ', fd, 0, ctypes.addressof(k), ctypes.addressof(v), 0))
    return v.raw


def update(fd, key, value, flags=0):
    k = ctypes.create_string_buffer(key, len(key))
    v = ctypes.create_string_buffer(value, len(value))
    bpf(BPF_MAP_UPDATE_ELEM, struct.pack('<IIQQQ', fd, 0, ctypes.addressof(k), ctypes.addressof(v), flags))


def s64s(raw, n=None):
    vals = list(struct.unpack_from(f'<{len(raw) // 8}q', raw))
    return vals if n is None else vals[:n]


def write_fixture(name, body):
    out = {'object': f'test/fixtures/helpers/truth_{name}.o', 'kernel': platform.release(), 'cpus': rec.ncpus()}
    out.update(body)
    with open(os.path.join(HERE, f'truth_{name}.json'), 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')


# ---------------------------------------------------------------- printk
TRACE_LINE = re.compile(r'^ *(?P<task>.+?)-(?P<pid>\d+) +\[(?P<cpu>\d{3})\] (?P<flags>\S+) +(?P<ts>\d+\.\d+): bpf_trace_printk: ', re.M)


def tw(path, text):
    with open(f'{TRACE}/{path}', 'w') as f:
        f.write(text)


def tr(path):
    with open(f'{TRACE}/{path}', 'rb') as f:
        return f.read().decode('latin-1')


def trace_messages(raw):
    """Splits the trace buffer into (prefix, message) pairs; a message may hold newlines."""
    ms = list(TRACE_LINE.finditer(raw))
    out = []
    for i, m in enumerate(ms):
        end = ms[i + 1].start() if i + 1 < len(ms) else len(raw)
        msg = raw[m.end():end]
        if msg.endswith('\n'):
            msg = msg[:-1]
        out.append({'prefix': raw[m.start():m.end()], 'message': msg})
    return out


def record_printk():
    ev = 'events/bpf_trace/bpf_trace_printk/enable'
    saved = (tr(ev).strip(), tr('tracing_on').strip())
    lo = Loaded('printk')
    runs = []
    try:
        tw('tracing_on', '1')
        for prog in ['printk_ints', 'printk_ptrs', 'printk_errs', 'printk_long']:
            lo.clear_bss()
            tw('trace', '')
            retval, _, _ = lo.run(prog, rec.udp4())
            raw = tr('trace')
            body = '\n'.join(l for l in raw.split('\n') if not l.startswith('#'))
            lines = trace_messages(body)
            runs.append({'prog': prog, 'retval': retval, 'res': s64s(lo.bss()),
                         'messages': [l['message'] for l in lines],
                         'prefixes': [l['prefix'] for l in lines], 'trace': body})
    finally:
        lo.close()
        tw('trace', '')
        tw(ev, saved[0])
        tw('tracing_on', saved[1])
    write_fixture('printk', {'data_in': rec.udp4().hex(), 'runs': runs})


# ---------------------------------------------------------------- check_mtu
def record_mtu():
    """Runs in a fresh network namespace (see main): only lo (ifindex 1, MTU 65536) exists."""
    lo = Loaded('mtu')
    runs = []
    try:
        for prog, ctx in [('mtu_basic', None), ('mtu_gso', rec.ctx(gso_size=100, gso_segs=2))]:
            lo.clear_bss()
            retval, _, _ = lo.run(prog, rec.udp4(), ctx)
            runs.append({'prog': prog, 'ctx_in': ctx.hex() if ctx else None, 'retval': retval, 'res': s64s(lo.bss())})
    finally:
        lo.close()
    write_fixture('mtu', {'data_in': rec.udp4().hex(), 'netns': sh('ip', '-d', 'link', 'show'), 'runs': runs})


# ---------------------------------------------------------------- ring buffer
PAGE = 4096


class Ring:
    """User-space view of a BPF_MAP_TYPE_RINGBUF (libbpf ringbuf.c layout): page 0 is the
    consumer position (read-write), then the producer position page and the data pages mapped
    twice (read-only)."""

    def __init__(self, fd):
        self.size = map_info(fd)['max_entries']
        self.cons = mmap.mmap(fd, PAGE, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=0)
        self.prod = mmap.mmap(fd, PAGE + 2 * self.size, mmap.MAP_SHARED, mmap.PROT_READ, offset=PAGE)

    def snapshot(self):
        cons = struct.unpack_from('<Q', self.cons, 0)[0]
        prod = struct.unpack_from('<Q', self.prod, 0)[0]
        return {'consumer_pos': cons, 'producer_pos': prod, 'data': self.prod[PAGE:PAGE + self.size].hex()}

    def consume_all(self):
        struct.pack_into('<Q', self.cons, 0, struct.unpack_from('<Q', self.prod, 0)[0])

    def close(self):
        self.cons.close()
        self.prod.close()


def record_ringbuf():
    lo = Loaded('ringbuf')
    steps = []
    rings = {}
    try:
        rings = {n: Ring(lo.maps[n]) for n in ('rb', 'rb_full')}
        for step in ['rb_ops', 'rb_fill', 'consume rb_full', 'rb_fill', 'consume rb', 'rb_ops']:
            if step.startswith('consume '):
                rings[step.split()[1]].consume_all()
                steps.append({'consume': step.split()[1]})
                continue
            lo.clear_bss()
            retval, _, _ = lo.run(step, rec.udp4())
            steps.append({'prog': step, 'retval': retval, 'res': s64s(lo.bss())[:17],
                          'rings': {n: r.snapshot() for n, r in rings.items()}})
    finally:
        for r in rings.values():
            r.close()
        lo.close()
    write_fixture('ringbuf', {'data_in': rec.udp4().hex(), 'steps': steps})


# ---------------------------------------------------------------- perf_event_output
SYS_perf_event_open = 298  # x86-64
PERF_TYPE_SOFTWARE = 1
PERF_COUNT_SW_CPU_CLOCK = 0
PERF_COUNT_SW_BPF_OUTPUT = 10
PERF_SAMPLE_RAW = 1 << 10
PERF_FLAG_FD_CLOEXEC = 1 << 3
PERF_PAGES = 1 + 8


def perf_open(cpu, config=PERF_COUNT_SW_BPF_OUTPUT):
    """A software event on `cpu` (pid -1), sample_type RAW, one sample per wakeup, enabled."""
    attr = bytearray(128)
    struct.pack_into('<IIQQQ', attr, 0, PERF_TYPE_SOFTWARE, 128, config, 1, PERF_SAMPLE_RAW)
    struct.pack_into('<I', attr, 48, 1)  # wakeup_events
    buf = ctypes.create_string_buffer(bytes(attr), 128)
    fd = libc.syscall(SYS_perf_event_open, buf, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC)
    if fd < 0:
        raise OSError(ctypes.get_errno(), 'perf_event_open')
    return fd


def perf_records(ring):
    """The records between data_tail and data_head of a perf mmap ring, each as hex."""
    head, tail, off, size = struct.unpack_from('<QQQQ', ring, 0x400)
    out = []
    pos = tail
    while pos < head:
        base = off + (pos % size)
        typ, misc, rsize = struct.unpack_from('<IHH', ring, base)
        out.append({'type': typ, 'misc': misc, 'bytes': bytes(ring[base:base + rsize]).hex()})
        pos += rsize
    return out


def record_perf():
    lo = Loaded('perf')
    fds = []
    runs = []
    ring = None
    try:
        arr = lo.maps['events']
        lo.clear_bss()
        retval, _, _ = lo.run('perf_out', rec.udp4())
        runs.append({'setup': [], 'retval': retval, 'res': s64s(lo.bss())[:14], 'samples': []})
        # index 0: BPF_OUTPUT on CPU 0 (read back), 1: BPF_OUTPUT on CPU 1, 2: CPU_CLOCK on CPU 0
        setup = [{'index': 0, 'cpu': 0, 'config': 'bpf_output'}, {'index': 1, 'cpu': 1, 'config': 'bpf_output'},
                 {'index': 2, 'cpu': 0, 'config': 'cpu_clock'}]
        for s_ in setup:
            fd = perf_open(s_['cpu'], PERF_COUNT_SW_BPF_OUTPUT if s_['config'] == 'bpf_output' else PERF_COUNT_SW_CPU_CLOCK)
            fds.append(fd)
            update(arr, struct.pack('<I', s_['index']), struct.pack('<I', fd))
        ring = mmap.mmap(fds[0], PERF_PAGES * PAGE, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        lo.clear_bss()
        retval, _, _ = lo.run('perf_out', rec.udp4())
        runs.append({'setup': setup, 'retval': retval, 'res': s64s(lo.bss())[:14], 'samples': perf_records(ring)})
    finally:
        if ring is not None:
            ring.close()
        lo.close()
        for fd in fds:
            os.close(fd)
    write_fixture('perf', {'data_in': rec.udp4().hex(), 'runs': runs})


# ---------------------------------------------------------------- fib_lookup
# The namespace truth_fib.json was recorded in. Routes are `ip route add` arguments; `ip route show
# table all` after setup is stored in the fixture as well.
FIB_TOPOLOGY = {
    'links': [
        {'name': 'veth0', 'peer': 'veth0p', 'mac': '02:00:00:00:01:01', 'peer_mac': '02:00:00:00:01:fe', 'mtu': 1500},
        {'name': 'veth1', 'peer': 'veth1p', 'mac': '02:00:00:00:02:01', 'peer_mac': '02:00:00:00:02:fe', 'mtu': 1400},
    ],
    'addresses': [['veth0', '10.1.0.1/24'], ['veth0', 'fd01::1/64'], ['veth1', '10.2.0.1/24'], ['veth1', 'fd02::1/64']],
    'routes': [
        '10.10.0.0/16 via 10.1.0.2 dev veth0', '10.20.0.0/16 via 10.2.0.2 dev veth1', '10.30.0.0/16 dev veth1 mtu 1300',
        'blackhole 10.40.0.0/16', 'unreachable 10.41.0.0/16', 'prohibit 10.42.0.0/16',
        '10.50.0.0/16 via 10.1.0.2 dev veth0 table 100', '10.60.0.0/16 via 10.1.0.2 dev veth0 src 10.2.0.1',
        '10.70.0.0/16 via 10.1.0.2 dev veth0 metric 77',
        'fd10::/64 via fd01::2 dev veth0', 'blackhole fd40::/64', 'unreachable fd41::/64', 'prohibit fd42::/64',
        'fd30::/64 dev veth1 mtu 1280', 'fd50::/64 via fd01::2 dev veth0 table 100',
    ],
    'neighbours': [['veth0', '10.1.0.2', '02:00:00:00:01:02'], ['veth0', 'fd01::2', '02:00:00:00:01:02']],
    'phases': {
        'fwd_on': {'net.ipv4.ip_forward': 1, 'net.ipv6.conf.all.forwarding': 1},
        'fwd_off': {'net.ipv4.ip_forward': 0, 'net.ipv6.conf.all.forwarding': 0},
        'veth1_fwd_off': {'net.ipv4.ip_forward': 1, 'net.ipv4.conf.veth1.forwarding': 0, 'net.ipv6.conf.all.forwarding': 1},
    },
}

D = 1
O = 2
SN = 4
TB = 8
SR = 16
# (phase, name, family, dst, input dev, tot_len, flags, tbid, data length)
FIB_CASES = [
    ('fwd_on', 'gw with neighbour', 4, '10.10.1.1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'gw, tot_len fits', 4, '10.10.1.1', 'veth0', 1000, 0, 0, 64),
    ('fwd_on', 'gw, tot_len over MTU', 4, '10.10.1.1', 'veth0', 1600, 0, 0, 64),
    ('fwd_on', 'gw without neighbour', 4, '10.20.1.1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'gw without neighbour, SKIP_NEIGH', 4, '10.20.1.1', 'veth0', 0, SN, 0, 64),
    ('fwd_on', 'connected, no neighbour', 4, '10.1.0.3', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'connected, neighbour', 4, '10.1.0.2', 'veth1', 0, 0, 0, 64),
    ('fwd_on', 'route mtu, tot_len over', 4, '10.30.1.1', 'veth0', 1350, SN, 0, 64),
    ('fwd_on', 'route mtu, tot_len fits', 4, '10.30.1.1', 'veth0', 1300, SN, 0, 64),
    ('fwd_on', 'skb over device MTU', 4, '10.30.1.1', 'veth0', 0, SN, 0, 1500),
    ('fwd_on', 'skb at device MTU + 18', 4, '10.30.1.1', 'veth0', 0, SN, 0, 1418),
    ('fwd_on', 'blackhole', 4, '10.40.1.1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'unreachable', 4, '10.41.1.1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'prohibit', 4, '10.42.1.1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'local address', 4, '10.1.0.1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'other local address', 4, '10.2.0.1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'loopback address', 4, '127.0.0.1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'subnet broadcast', 4, '10.1.0.255', 'veth0', 0, SN, 0, 64),
    ('fwd_on', 'no route', 4, '192.168.1.1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'DIRECT', 4, '10.10.1.1', 'veth0', 0, D, 0, 64),
    ('fwd_on', 'DIRECT local address', 4, '10.1.0.1', 'veth0', 0, D, 0, 64),
    ('fwd_on', 'DIRECT|TBID 100', 4, '10.50.1.1', 'veth0', 0, D | TB, 100, 64),
    ('fwd_on', 'DIRECT|TBID 100, not in it', 4, '10.10.1.1', 'veth0', 0, D | TB, 100, 64),
    ('fwd_on', 'DIRECT|TBID 999 (no table)', 4, '10.10.1.1', 'veth0', 0, D | TB, 999, 64),
    ('fwd_on', 'DIRECT, table 100 route', 4, '10.50.1.1', 'veth0', 0, D, 0, 64),
    ('fwd_on', 'rules, table 100 route', 4, '10.50.1.1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'TBID without DIRECT', 4, '10.10.1.1', 'veth0', 0, TB, 100, 64),
    ('fwd_on', 'SRC', 4, '10.10.1.1', 'veth0', 0, SR, 0, 64),
    ('fwd_on', 'SRC prefsrc', 4, '10.60.1.1', 'veth0', 0, SR, 0, 64),
    ('fwd_on', 'OUTPUT via the other device', 4, '10.10.1.1', 'veth1', 0, O, 0, 64),
    ('fwd_on', 'OUTPUT via the route device', 4, '10.10.1.1', 'veth0', 0, O, 0, 64),
    ('fwd_on', 'metric', 4, '10.70.1.1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'input lo', 4, '10.10.1.1', 'lo', 0, 0, 0, 64),
    ('fwd_on', 'unknown ifindex', 4, '10.10.1.1', 99, 0, 0, 0, 64),
    ('fwd_on', 'bad family', 3, '10.10.1.1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'unknown flag', 4, '10.10.1.1', 'veth0', 0, 1 << 7, 0, 64),
    ('fwd_on', 'v6 gw with neighbour', 6, 'fd10::1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'v6 tot_len over', 6, 'fd10::1', 'veth0', 1501, 0, 0, 64),
    ('fwd_on', 'v6 connected, no neighbour', 6, 'fd02::5', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'v6 blackhole', 6, 'fd40::1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'v6 unreachable', 6, 'fd41::1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'v6 prohibit', 6, 'fd42::1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'v6 local address', 6, 'fd01::1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'v6 loopback', 6, '::1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'v6 link-local', 6, 'fe80::1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'v6 multicast', 6, 'ff02::1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'v6 route mtu', 6, 'fd30::1', 'veth0', 1300, SN, 0, 64),
    ('fwd_on', 'v6 SRC', 6, 'fd10::1', 'veth0', 0, SR, 0, 64),
    ('fwd_on', 'v6 no route', 6, '2001:db8::1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'v6 DIRECT|TBID 100', 6, 'fd50::1', 'veth0', 0, D | TB, 100, 64),
    ('fwd_on', 'v6 rules, table 100 route', 6, 'fd50::1', 'veth0', 0, 0, 0, 64),
    ('fwd_on', 'v6 OUTPUT via the other device', 6, 'fd10::1', 'veth1', 0, O, 0, 64),
    ('fwd_on', 'v6 input lo', 6, 'fd10::1', 'lo', 0, 0, 0, 64),
    ('fwd_off', 'forwarding off', 4, '10.10.1.1', 'veth0', 0, 0, 0, 64),
    ('fwd_off', 'forwarding off, OUTPUT', 4, '10.10.1.1', 'veth0', 0, O, 0, 64),
    ('fwd_off', 'v6 forwarding off', 6, 'fd10::1', 'veth0', 0, 0, 0, 64),
    ('veth1_fwd_off', 'veth1 forwarding off, input veth1', 4, '10.10.1.1', 'veth1', 0, 0, 0, 64),
    ('veth1_fwd_off', 'veth1 forwarding off, input veth0', 4, '10.10.1.1', 'veth0', 0, 0, 0, 64),
    ('veth1_fwd_off', 'veth1 forwarding off, v6 input veth1', 6, 'fd10::1', 'veth1', 0, 0, 0, 64),
]


def fib_params(family, dst, ifindex, tot_len, tbid):
    import ipaddress
    p = bytearray(64)
    af = {4: 2, 6: 10}.get(family, family)
    struct.pack_into('<BBHHHI', p, 0, af, 17, 0x1027, 0x3500, tot_len, ifindex)
    a = ipaddress.ip_address(dst).packed
    if len(a) == 16 or family == 6:
        p[32:48] = ipaddress.ip_address(dst).packed
    else:
        p[32:36] = a
    struct.pack_into('<I', p, 48, tbid)
    return bytes(p)


def ip(*args):
    subprocess.run(['ip', *args], check=True)


def sysctl(key, val):
    with open('/proc/sys/' + key.replace('.', '/'), 'w') as f:
        f.write(str(val))


def record_fib():
    """Runs in a fresh network namespace (see main), built from FIB_TOPOLOGY."""
    t = FIB_TOPOLOGY
    ip('link', 'set', 'lo', 'up')
    for l in t['links']:
        ip('link', 'add', l['name'], 'address', l['mac'], 'mtu', str(l['mtu']), 'type', 'veth',
           'peer', 'name', l['peer'], 'address', l['peer_mac'])
        for d in (l['name'], l['peer']):
            ip('link', 'set', d, 'addrgenmode', 'none')
            ip('link', 'set', d, 'up')
    for dev, a in t['addresses']:
        ip('addr', 'add', a, 'dev', dev, *(['nodad'] if ':' in a else []))
    for r in t['routes']:
        ip('-6' if ':' in r else '-4', 'route', 'add', *r.split())
    for dev, addr, mac in t['neighbours']:
        ip('neigh', 'add', addr, 'lladdr', mac, 'dev', dev, 'nud', 'permanent')
    ifindex = {l['ifname']: l['ifindex'] for l in json.loads(sh('ip', '-j', 'link', 'show'))}
    lo = Loaded('fib')
    cases = []
    try:
        for phase in t['phases']:
            for k, v in t['phases'][phase].items():
                sysctl(k, v)
            for ph, name, family, dst, dev, tot_len, flags, tbid, dlen in FIB_CASES:
                if ph != phase:
                    continue
                idx = ifindex[dev] if isinstance(dev, str) else dev
                params = fib_params(family, dst, idx, tot_len, tbid)
                data = params + bytes(dlen - 64)
                lo.clear_bss()
                retval, dout, _ = lo.run('fib', data, rec.ctx(cb=[flags]))
                res = s64s(lo.bss())
                cases.append({'phase': phase, 'name': name, 'flags': flags, 'data_len': dlen, 'params_in': params.hex(),
                              'ret': res[0], 'ret_plen63': res[1], 'params_out': dout[:64].hex(), 'retval': retval})
    finally:
        lo.close()
    topo = dict(t, ifindex=ifindex, routes_shown=sh('ip', 'route', 'show', 'table', 'all').splitlines(),
                neigh_shown=sh('ip', 'neigh', 'show').splitlines())
    write_fixture('fib', {'topology': topo, 'cases': cases})


FAMILIES = {'printk': record_printk, 'mtu': record_mtu, 'ringbuf': record_ringbuf, 'perf': record_perf,
            'fib': record_fib}
NETNS_FAMILIES = {'mtu', 'fib'}


def main():
    os.sched_setaffinity(0, {0})
    if sys.argv[1:2] == ['--in-netns']:
        FAMILIES[sys.argv[2]]()
        return
    names = sys.argv[1:] or list(FAMILIES)
    for n in names:
        if n in NETNS_FAMILIES:
            # a private namespace: it and everything in it go away when the child exits
            subprocess.run(['unshare', '-n', sys.executable, os.path.abspath(__file__), '--in-netns', n], check=True)
        else:
            FAMILIES[n]()
        print(f'recorded {n}')


if __name__ == '__main__':
    main()
