#!/usr/bin/env python3
"""record-kernel-fixtures.py: runs every bpf/<object>.o in the real kernel and writes
test/fixtures/kernel/<object>.json (format in bpf/README.md).

Needs root, a mounted bpffs, bpftool and (for the legacy object) iproute2's tc.
Objects are loaded with `bpftool prog loadall ... pinmaps ... type classifier`,
maps are set up with `bpftool map update`, programs are run with BPF_PROG_TEST_RUN
through the bpf(2) syscall (ctypes; bpftool does not return ctx_out without ctx_in),
and maps are read back with `bpftool map dump -j`. The recorder pins itself to CPU 0
so per-CPU map writes land in slot 0.

usage: sudo scripts/record-kernel-fixtures.py [object ...]   (default: all)
"""
import ctypes
import json
import os
import platform
import shutil
import struct
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PIN_ROOT = '/sys/fs/bpf/tcxsim-rec'
OUT_DIR = os.path.join(REPO, 'test', 'fixtures', 'kernel')
CTX_SIZE = 192
DATA_OUT_SIZE = 8192

# ---------------------------------------------------------------- bpf(2) via ctypes
SYS_bpf = 321  # x86-64
BPF_OBJ_GET = 7
BPF_PROG_TEST_RUN = 10
BPF_PROG_GET_FD_BY_ID = 13
libc = ctypes.CDLL(None, use_errno=True)


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(bytes(attr), 160)
    ret = libc.syscall(SYS_bpf, cmd, buf, 160)
    if ret < 0:
        e = ctypes.get_errno()
        raise OSError(e, f'bpf cmd {cmd}: {os.strerror(e)}')
    return ret, buf.raw


def obj_get(path):
    p = ctypes.create_string_buffer(path.encode())
    attr = struct.pack('<QII', ctypes.addressof(p), 0, 0)
    fd, _ = bpf(BPF_OBJ_GET, attr)
    return fd


def prog_fd_by_id(prog_id):
    fd, _ = bpf(BPF_PROG_GET_FD_BY_ID, struct.pack('<III', prog_id, 0, 0))
    return fd


def test_run(fd, data_in, ctx_in):
    din = ctypes.create_string_buffer(data_in, len(data_in))
    dout = ctypes.create_string_buffer(DATA_OUT_SIZE)
    cin = ctypes.create_string_buffer(ctx_in, CTX_SIZE) if ctx_in is not None else None
    cout = ctypes.create_string_buffer(CTX_SIZE)
    attr = struct.pack('<IIIIQQIIIIQQIII',
                       fd, 0, len(data_in), DATA_OUT_SIZE,
                       ctypes.addressof(din), ctypes.addressof(dout),
                       1, 0,
                       CTX_SIZE if cin is not None else 0, CTX_SIZE,
                       ctypes.addressof(cin) if cin is not None else 0,
                       ctypes.addressof(cout),
                       0, 0, 0)
    _, raw = bpf(BPF_PROG_TEST_RUN, attr)
    _, retval, _, size_out = struct.unpack_from('<IIII', raw, 0)
    ctx_size_out = struct.unpack_from('<I', raw, 40)[0]
    return retval, dout.raw[:size_out], cout.raw[:ctx_size_out]


# ---------------------------------------------------------------- frames
def csum16(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack(f'!{len(b) // 2}H', b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ip4(s):
    return bytes(int(x) for x in s.split('.'))


MAC_D = bytes.fromhex('020000000002')
MAC_S = bytes.fromhex('020000000001')


def eth(ethertype, payload, vlan=None):
    hdr = MAC_D + MAC_S
    if vlan is not None:
        hdr += struct.pack('!HH', 0x8100, vlan)
    return hdr + struct.pack('!H', ethertype) + payload


def ipv4(proto, src, dst, l4, ttl=64, ident=0x1234):
    total = 20 + len(l4)
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, total, ident, 0x4000, ttl, proto, 0, ip4(src), ip4(dst))
    h = h[:10] + struct.pack('!H', csum16(h)) + h[12:]
    return h + l4


def l4_csum(proto, src, dst, seg):
    pseudo = ip4(src) + ip4(dst) + struct.pack('!BBH', 0, proto, len(seg))
    return csum16(pseudo + seg)


def tcp(src, dst, sport, dport, payload=b'', flags=0x18):
    h = struct.pack('!HHIIBBHHH', sport, dport, 1, 0, 5 << 4, flags, 512, 0, 0)
    seg = h + payload
    c = l4_csum(6, src, dst, seg)
    return seg[:16] + struct.pack('!H', c) + seg[18:]


def udp(src, dst, sport, dport, payload=b''):
    seg = struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload
    c = l4_csum(17, src, dst, seg) or 0xffff
    return seg[:6] + struct.pack('!H', c) + seg[8:]


def icmp_echo(payload=b'ping'):
    m = struct.pack('!BBHHH', 8, 0, 0, 1, 1) + payload
    return m[:2] + struct.pack('!H', csum16(m)) + m[4:]


def tcp4(src='10.0.0.1', dst='10.0.0.2', sport=40000, dport=80, payload=b'hello', vlan=None):
    return eth(0x0800, ipv4(6, src, dst, tcp(src, dst, sport, dport, payload)), vlan)


def udp4(src='10.0.0.1', dst='10.0.0.2', sport=5353, dport=53, payload=b'query', vlan=None):
    return eth(0x0800, ipv4(17, src, dst, udp(src, dst, sport, dport, payload)), vlan)


def icmp4(src='10.0.0.1', dst='10.0.0.2'):
    return eth(0x0800, ipv4(1, src, dst, icmp_echo()))


def ipv6_udp():
    src = bytes.fromhex('fd000000000000000000000000000001')
    dst = bytes.fromhex('fd000000000000000000000000000002')
    seg = struct.pack('!HHHH', 1000, 2000, 12, 0) + b'six!'
    pseudo = src + dst + struct.pack('!I3xB', len(seg), 17)
    seg = seg[:6] + struct.pack('!H', csum16(pseudo + seg)) + seg[8:]
    return eth(0x86dd, struct.pack('!IHBB', 0x60000000, len(seg), 17, 64) + src + dst + seg)


def arp():
    return eth(0x0806, bytes.fromhex('0001080006040001') + MAC_S + ip4('10.0.0.1') + bytes(6) + ip4('10.0.0.2'))


def truncated(frame, n):
    return frame[:n]


def ctx(**fields):
    """A 192-byte __sk_buff for ctx_in; only fields BPF_PROG_TEST_RUN accepts."""
    offs = {'mark': 8, 'priority': 32, 'ingress_ifindex': 36, 'ifindex': 40,
            'wire_len': 160, 'gso_segs': 164, 'gso_size': 176}
    b = bytearray(CTX_SIZE)
    for k, v in fields.items():
        if k == 'cb':
            for i, x in enumerate(v):
                struct.pack_into('<I', b, 48 + 4 * i, x)
        elif k == 'tstamp':
            struct.pack_into('<Q', b, 152, v)
        else:
            struct.pack_into('<I', b, offs[k], v)
    return bytes(b)


def u32(v):
    return struct.pack('<I', v).hex()


def u64(v):
    return struct.pack('<Q', v).hex()


# ---------------------------------------------------------------- bpftool
def sh(*args, env=None):
    r = subprocess.run(args, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(f'{" ".join(args)}: {r.stderr.strip() or r.stdout.strip()}')
    return r.stdout


def hex_bytes(words):
    return ' '.join(f'0x{words[i:i + 2]}' for i in range(0, len(words), 2)).split()


def map_update(path, key_hex, value_hex):
    sh('bpftool', 'map', 'update', 'pinned', path, 'key', 'hex', *chunk(key_hex), 'value', 'hex', *chunk(value_hex))


def chunk(h):
    return [h[i:i + 2] for i in range(0, len(h), 2)]


def j2hex(arr):
    return ''.join(x[2:].rjust(2, '0') for x in arr)


def map_dump(path):
    out = json.loads(sh('bpftool', 'map', 'dump', 'pinned', path, '-j'))
    rows = []
    for e in out:
        if 'values' in e:
            vals = sorted(e['values'], key=lambda v: v['cpu'])
            rows.append({'key': j2hex(e['key']), 'values': [j2hex(v['value']) for v in vals]})
        else:
            rows.append({'key': j2hex(e['key']), 'value': j2hex(e['value'])})
    rows.sort(key=lambda r: r['key'])
    return rows


def kernel_map_name(path):
    return json.loads(sh('bpftool', 'map', 'show', 'pinned', path, '-j'))['name']


# ---------------------------------------------------------------- loading
class Loaded:
    """Pinned programs and maps of one object, addressed by ELF names."""

    def __init__(self, progs, maps):
        self.progs = progs  # prog name -> fd
        self.maps = maps    # fixture map name -> pinned path


def fixture_map_name(kname, fname):
    # libbpf names global-data maps "<obj prefix>.data"; fixtures use the section name.
    for sec in ('.rodata', '.data', '.bss'):
        if kname.endswith(sec):
            return sec + kname[kname.index(sec) + len(sec):]
    return fname


def load_libbpf(name):
    pdir, mdir = f'{PIN_ROOT}/{name}', f'{PIN_ROOT}/{name}-maps'
    sh('bpftool', 'prog', 'loadall', f'{REPO}/bpf/{name}.o', pdir, 'pinmaps', mdir, 'type', 'classifier')
    progs = {p: obj_get(f'{pdir}/{p}') for p in os.listdir(pdir)}
    maps = {}
    for f in os.listdir(mdir):
        maps[fixture_map_name(kernel_map_name(f'{mdir}/{f}'), f)] = f'{mdir}/{f}'
    return Loaded(progs, maps)


TC_DEV = 'tcxrec0'


def load_iproute2(name, main_sec):
    """Legacy `maps` objects: loaded by iproute2's own ELF loader, which creates the
    bpf_elf_map maps, pins PIN_GLOBAL_NS ones in /sys/fs/bpf/tc/globals and fills
    prog array <id> from the "<id>/<index>" sections."""
    subprocess.run(['ip', 'link', 'del', TC_DEV], capture_output=True)
    sh('ip', 'link', 'add', TC_DEV, 'type', 'dummy')
    sh('tc', 'qdisc', 'add', 'dev', TC_DEV, 'clsact')
    env = dict(os.environ, LIBBPF_FORCE='off')
    sh('tc', 'filter', 'add', 'dev', TC_DEV, 'ingress', 'bpf', 'da', 'obj',
       f'{REPO}/bpf/{name}.o', 'sec', main_sec, env=env)
    info = json.loads(sh('tc', '-j', 'filter', 'show', 'dev', TC_DEV, 'ingress'))
    prog_id = next(f['options']['prog']['id'] for f in info if 'options' in f)
    pinfo = json.loads(sh('bpftool', 'prog', 'show', 'id', str(prog_id), '-j'))
    gdir = '/sys/fs/bpf/tc/globals'
    maps = {f: f'{gdir}/{f}' for f in os.listdir(gdir)}
    return Loaded({pinfo['name']: prog_fd_by_id(prog_id)}, maps)


def unload(name, legacy):
    if legacy:
        subprocess.run(['ip', 'link', 'del', TC_DEV], capture_output=True)
        shutil.rmtree('/sys/fs/bpf/tc/globals', ignore_errors=True)
    for d in (f'{PIN_ROOT}/{name}', f'{PIN_ROOT}/{name}-maps'):
        shutil.rmtree(d, ignore_errors=True)


# ---------------------------------------------------------------- recording
def record(name, spec):
    legacy = spec.get('legacy_sec')
    unload(name, legacy)
    os.makedirs(PIN_ROOT, exist_ok=True)
    ld = load_iproute2(name, legacy) if legacy else load_libbpf(name)
    try:
        for s in spec.get('setup', []):
            if 'map' in s:
                map_update(ld.maps[s['map']], s['key'], s['value'])
            else:
                sh('bpftool', 'map', 'update', 'pinned', ld.maps[s['prog_array']],
                   'key', *chunk(u32(s['index'])), 'value', 'pinned', f'{PIN_ROOT}/{name}/{s["prog"]}')
        runs = []
        for r in spec['runs']:
            data, cin = r['data'], r.get('ctx')
            retval, dout, cout = test_run(ld.progs[r['prog']], data, cin)
            run = {'prog': r['prog'], 'data_in': data.hex(), 'ctx_in': cin.hex() if cin else None,
                   'retval': retval, 'data_out': dout.hex(), 'ctx_out': cout.hex()}
            if spec.get('writes'):
                run['maps_after'] = {m: map_dump(ld.maps[m]) for m in spec['writes']}
            runs.append(run)
    finally:
        for fd in ld.progs.values():
            os.close(fd)
        unload(name, legacy)
    return {'object': f'bpf/{name}.o', 'kernel': platform.release(), 'cpus': os.cpu_count() and ncpus(),
            'setup': spec.get('setup', []), 'runs': runs}


def ncpus():
    """Number of possible CPUs (what sizes per-CPU map values)."""
    n = 0
    for part in open('/sys/devices/system/cpu/possible').read().strip().split(','):
        lo, _, hi = part.partition('-')
        n += int(hi or lo) - int(lo) + 1
    return n


def runs(prog, frames, ctx_in=None):
    return [{'prog': prog, 'data': f, **({'ctx': ctx_in} if ctx_in else {})} for f in frames]


MIXED = [tcp4(), udp4(), tcp4(), icmp4(), ipv6_udp(), arp(), truncated(tcp4(), 30),
         tcp4(sport=40001), udp4(vlan=100)]

# ---------------------------------------------------------------- object specs
SPECS = {
    'flow_counter': {
        'writes': ['flows'],
        'runs': runs('count_flows', MIXED),
    },
}


def main():
    os.sched_setaffinity(0, {0})
    names = sys.argv[1:] or list(SPECS)
    os.makedirs(OUT_DIR, exist_ok=True)
    for name in names:
        fx = record(name, SPECS[name])
        with open(os.path.join(OUT_DIR, f'{name}.json'), 'w') as f:
            json.dump(fx, f, indent=1)
            f.write('\n')
        print(f'{name}: {len(fx["runs"])} runs -> test/fixtures/kernel/{name}.json')
    shutil.rmtree(PIN_ROOT, ignore_errors=True)


if __name__ == '__main__':
    main()
