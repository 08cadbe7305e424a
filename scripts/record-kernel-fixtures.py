#!/usr/bin/env python3
"""record-kernel-fixtures.py: runs every bpf/<object>.o in the real kernel and writes
test/fixtures/kernel/<object>.json (format in bpf/README.md).

Needs root, a mounted bpffs and bpftool. The legacy `maps` object is loaded by a
small built-in loader that follows iproute2's convention (libbpf >= 1.0 refuses it).
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
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bpf_syscall import BPF_PROG_TEST_RUN, bpf, obj_get  # noqa: E402


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
    ctx_size_out = struct.unpack_from('<I', raw, 44)[0]
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
    for f in (os.listdir(mdir) if os.path.isdir(mdir) else []):
        maps[fixture_map_name(kernel_map_name(f'{mdir}/{f}'), f)] = f'{mdir}/{f}'
    return Loaded(progs, maps)


BPF_MAP_CREATE = 0
BPF_MAP_UPDATE_ELEM = 2
BPF_PROG_LOAD = 5
BPF_OBJ_PIN = 6
BPF_PROG_TYPE_SCHED_CLS = 3
BPF_PSEUDO_MAP_FD = 1
ELF_MAP_SIZE = 36  # iproute2 struct bpf_elf_map


def elf_sections(blob):
    """Minimal ELF64 little-endian reader: {name: (index, type, data)}, symbols."""
    shoff, = struct.unpack_from('<Q', blob, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', blob, 0x3a)
    hdrs = [struct.unpack_from('<IIQQQQIIQQ', blob, shoff + i * shentsize) for i in range(shnum)]
    def data(h):
        return blob[h[4]:h[4] + h[5]]
    shstr = data(hdrs[shstrndx])
    def cstr(tab, off):
        return tab[off:tab.index(b'\0', off)].decode()
    secs = {cstr(shstr, h[0]): (i, h[1], data(h), h) for i, h in enumerate(hdrs)}
    symtab = next(h for h in hdrs if h[1] == 2)  # SHT_SYMTAB
    strtab = data(hdrs[symtab[6]])
    syms = []
    raw = data(symtab)
    for off in range(0, len(raw), 24):
        name, info, _, shndx, value, size = struct.unpack_from('<IBBHQQ', raw, off)
        syms.append({'name': cstr(strtab, name), 'type': info & 0xf, 'shndx': shndx, 'value': value})
    return secs, syms


def name16(s):
    return s.encode()[:15].ljust(16, b'\0')


def load_legacy(name, mdir):
    """Legacy `maps` objects, loaded the way iproute2's own (non-libbpf) ELF loader
    does: one map per 36-byte struct bpf_elf_map in section "maps", map references
    patched into ld_imm64 as BPF_PSEUDO_MAP_FD, every program section loaded as
    SCHED_CLS, and each "<id>/<index>" section installed at <index> of the prog array
    whose bpf_elf_map.id is <id>. libbpf >= 1.0 (so bpftool and tc here) refuses these
    objects. Maps are pinned under mdir for bpftool map dump."""
    blob = open(f'{REPO}/bpf/{name}.o', 'rb').read()
    secs, syms = elf_sections(blob)
    maps_idx, _, maps_data, _ = secs['maps']
    if len(maps_data) % ELF_MAP_SIZE:
        raise RuntimeError(f'{name}: section maps is not a whole number of struct bpf_elf_map')
    license_ = ctypes.create_string_buffer(secs['license'][2])
    maps, fds, ids, keep = {}, {}, {}, []
    for sym in syms:
        if sym['shndx'] != maps_idx or sym['type'] != 1:  # STT_OBJECT
            continue
        mtype, ksz, vsz, maxe, flags, mid, _pin, _iid, _iidx = struct.unpack_from('<9I', maps_data, sym['value'])
        fd, _ = bpf(BPF_MAP_CREATE, struct.pack('<IIIIIII16s', mtype, ksz, vsz, maxe, flags, 0, 0, name16(sym['name'])))
        fds[sym['value']] = fd
        ids[mid] = (fd, sym['name'])
        p = ctypes.create_string_buffer(f'{mdir}/{sym["name"]}'.encode())
        keep.append(p)
        bpf(BPF_OBJ_PIN, struct.pack('<QII', ctypes.addressof(p), fd, 0))
        maps[sym['name']] = f'{mdir}/{sym["name"]}'
    progs, tails = {}, []
    for sname, (idx, stype, code, hdr) in secs.items():
        if stype != 1 or not (hdr[2] & 0x4) or not code:  # SHT_PROGBITS + SHF_EXECINSTR
            continue
        insns = bytearray(code)
        rel = secs.get('.rel' + sname)
        if rel:
            for off in range(0, len(rel[2]), 16):
                r_off, r_info = struct.unpack_from('<QQ', rel[2], off)
                sym = syms[r_info >> 32]
                if sym['shndx'] != maps_idx:
                    raise RuntimeError(f'{name}: {sname}: relocation to {sym["name"]} is not a map')
                insns[r_off + 1] = (insns[r_off + 1] & 0x0f) | (BPF_PSEUDO_MAP_FD << 4)
                struct.pack_into('<i', insns, r_off + 4, fds[sym['value']])
        func = next(s['name'] for s in syms if s['shndx'] == idx and s['type'] == 2 and s['value'] == 0)
        ibuf = ctypes.create_string_buffer(bytes(insns), len(insns))
        log = ctypes.create_string_buffer(65536)
        try:
            fd, _ = bpf(BPF_PROG_LOAD, struct.pack('<IIQQIIQII16s', BPF_PROG_TYPE_SCHED_CLS, len(insns) // 8,
                                                   ctypes.addressof(ibuf), ctypes.addressof(license_),
                                                   1, len(log), ctypes.addressof(log), 0, 0, name16(func)))
        except OSError as e:
            raise RuntimeError(f'{name}: {sname}: {e}\n{log.value.decode()}')
        progs[func] = fd
        head, _, tail = sname.partition('/')
        if head.isdigit() and tail.isdigit():
            tails.append((int(head), int(tail), fd))
    for mid, slot, pfd in tails:
        k = ctypes.create_string_buffer(struct.pack('<I', slot))
        v = ctypes.create_string_buffer(struct.pack('<I', pfd))
        bpf(BPF_MAP_UPDATE_ELEM, struct.pack('<IIQQQ', ids[mid][0], 0, ctypes.addressof(k), ctypes.addressof(v), 0))
    for fd in fds.values():
        os.close(fd)
    return Loaded(progs, maps)


def unload(name):
    for d in (f'{PIN_ROOT}/{name}', f'{PIN_ROOT}/{name}-maps'):
        shutil.rmtree(d, ignore_errors=True)


# ---------------------------------------------------------------- recording
def record(name, spec):
    unload(name)
    os.makedirs(PIN_ROOT, exist_ok=True)
    if spec.get('legacy'):
        os.makedirs(f'{PIN_ROOT}/{name}-maps')
    ld = load_legacy(name, f'{PIN_ROOT}/{name}-maps') if spec.get('legacy') else load_libbpf(name)
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
            run['maps_after'] = {m: map_dump(ld.maps[m]) for m in spec.get('writes', [])}
            runs.append(run)
    finally:
        for fd in ld.progs.values():
            os.close(fd)
        unload(name)
    return {'object': f'bpf/{name}.o', 'kernel': platform.release(), 'cpus': ncpus(),
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


MIXED = [tcp4(), udp4(), tcp4(), icmp4(), ipv6_udp(), arp(), truncated(tcp4(), 40),
         tcp4(sport=40001), udp4(vlan=100)]

# ---------------------------------------------------------------- object specs
def with_dst_mac(frame, mac):
    return bytes.fromhex(mac) + frame[6:]


def lpm_key(prefix):
    addr, _, plen = prefix.partition('/')
    return u32(int(plen)) + ip4(addr).hex()


SPECS = {
    'tail_dispatch': {
        'setup': [{'prog_array': 'jmp_table', 'index': 1, 'prog': 'tail_icmp'}],
        'writes': ['hits'],
        'runs': runs('dispatch', [tcp4(), udp4(), icmp4(), arp(), udp4(sport=9)], ctx(cb=[0, 0, 0, 0, 7]))
        + [{'prog': 'tail_udp', 'data': udp4()}],
    },
    'global_data': {
        'writes': ['.data', '.bss'],
        'runs': runs('use_globals', [tcp4(), udp4(), icmp4(), arp(), tcp4(payload=b'x' * 100)]),
    },
    'lpm_policy': {
        'setup': [{'map': 'policy', 'key': lpm_key(p), 'value': u32(v)} for p, v in
                  [('10.0.0.0/8', 1), ('10.1.0.0/16', 2), ('10.1.2.0/24', 1), ('192.168.0.0/16', 2), ('0.0.0.0/0', 3)]],
        'writes': ['verdicts'],
        'runs': runs('lpm_filter', [tcp4(src='10.9.9.9'), tcp4(src='10.1.7.7'), udp4(src='10.1.2.3'),
                                    udp4(src='192.168.5.5'), icmp4(src='172.16.0.1'), ipv6_udp(),
                                    tcp4(src='10.1.255.255')]),
    },
    'map_in_map': {
        'setup': [{'map': 'inner_a', 'key': u32(2), 'value': u64(0xaaaa)},
                  {'map': 'inner_b', 'key': u32(2), 'value': u64(0xbbbb)}],
        'writes': ['inner_a', 'inner_b'],
        'runs': runs('mim_lookup', [tcp4(src='10.0.0.2'), tcp4(src='10.0.0.3'), udp4(src='10.0.0.5'), arp()]),
    },
    'skb_bytes': {
        'runs': runs('load_bytes', [tcp4(), udp4(src='192.0.2.7'), arp()])
        + runs('load_relative', [tcp4(), udp4(vlan=5), ipv6_udp()])
        + runs('store_bytes', [tcp4(), udp4(), truncated(udp4(), 36)]),
    },
    'csum_nat': {
        'runs': runs('dnat', [tcp4(), udp4(), udp4(sport=1, dport=2, payload=b''), icmp4(), arp(),
                              truncated(tcp4(), 40)])
        + runs('snat_diff', [tcp4(), udp4(), icmp4()]),
    },
    'skb_resize': {
        'runs': runs('tail_grow', [tcp4(), arp()])
        + runs('tail_trim', [tcp4(), udp4()])
        + runs('head_push', [udp4()])
        + runs('room_net_grow', [udp4(), tcp4(), ipv6_udp()])
        + runs('room_net_shrink', [udp4(), ipv6_udp(), arp()])
        + runs('room_mac_grow', [udp4()])
        + runs('room_encap', [tcp4(), ipv6_udp()]),
    },
    'vlan_proto': {
        'runs': runs('vlan_push2', [tcp4(), arp()])
        + runs('vlan_pop', [udp4(vlan=0x2064), udp4()])
        + runs('to_ipv6', [tcp4(), ipv6_udp(), arp()])
        + runs('change_type', [tcp4(), with_dst_mac(tcp4(), '000000000000'), with_dst_mac(udp4(), 'ffffffffffff')]),
    },
    'skb_fields': {
        'writes': ['fields'],
        'runs': runs('read_fields', [tcp4()])
        + runs('read_fields', [with_dst_mac(udp4(), '000000000000')],
               ctx(mark=0xa5a5a5a5, priority=6, ingress_ifindex=9, ifindex=1, cb=[1, 2, 3, 4, 5],
                   tstamp=123456789, wire_len=1500, gso_segs=3, gso_size=1400))
        + runs('read_fields', [with_dst_mac(arp(), 'ffffffffffff'), with_dst_mac(ipv6_udp(), '333300000001'), udp4(vlan=7)])
        + runs('write_fields', [tcp4()], ctx(cb=[41, 0, 0, 0, 0]))
        + runs('write_fields', [tcp4()])
        + runs('read_sock', [tcp4(), udp4(src='192.0.2.1', dst='198.51.100.2'), ipv6_udp(), arp()]),
    },
    'redirect_hash': {
        'runs': runs('redirect_cb', [tcp4()], ctx(cb=[1, 0, 0, 0, 0]))
        + runs('redirect_cb', [tcp4()], ctx(cb=[5, 1, 0, 0, 0]))
        + runs('redirect_cb', [tcp4()], ctx(cb=[5, 2, 0, 0, 0]))
        + runs('redirect_cb', [tcp4()], ctx(cb=[5, 4, 0, 0, 0]))
        + runs('redirect_cb', [tcp4()])
        + runs('hash_ops', [tcp4(), udp4(), arp()]),
    },
    'map_ops': {
        'writes': ['small_hash', 'results', 'pcpu_cnt', 'pcpu_bytes'],
        'runs': runs('hash_flags', [tcp4(), tcp4(), udp4(), icmp4(), arp()])
        + runs('queue_stack', [udp4(payload=b'a'), udp4(payload=b'bb'), udp4(payload=b'ccc'),
                               udp4(payload=b'dddd'), udp4(payload=b'eeeee')])
        + runs('queue_stack', [udp4(payload=b'ffffff')], ctx(cb=[1, 0, 0, 0, 0]))
        + runs('queue_stack', [udp4(payload=b'g')])
        + runs('percpu', [tcp4(), udp4(), tcp4(payload=b'x' * 64), arp()]),
    },
    'bench': {
        'writes': ['port_count'],
        'runs': runs('hash_loop', [tcp4(), udp4(), arp()])
        + runs('parse_count', [udp4(), udp4(dport=123), udp4(), tcp4(), truncated(udp4(), 38), ipv6_udp()]),
    },
    'callbacks': {
        'setup': [{'map': 'vals', 'key': u32(i), 'value': u64(v)} for i, v in enumerate([5, 7, 11, 13])],
        'writes': ['vals'],
        'runs': runs('callbacks', [tcp4(), udp4()]),
    },
    'tail_loop': {
        'runs': runs('self_loop', [tcp4()]) + runs('self_loop', [tcp4()], ctx(cb=[0, 1, 0, 0, 0]))
        + runs('self_loop', [tcp4()], ctx(cb=[100, 0, 0, 0, 0])),
    },
    'legacy_tail': {
        'legacy': True,
        'writes': ['legacy_cnt'],
        'runs': runs('legacy_main', [tcp4(), udp4(), icmp4(), arp()]),
    },
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
