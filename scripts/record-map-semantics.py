#!/usr/bin/env python3
"""record-map-semantics.py: asks the real kernel how BPF maps behave and writes the answers to
test/fixtures/maps/*.json, which test/bpf/maps/kernel-fixtures.test.ts replays against tcxsim.

Every case creates a map with bpf(BPF_MAP_CREATE) and runs a list of syscall operations
(update / lookup / delete / get_next_key / lookup_and_delete / batch ops / freeze), recording
each result: 0, the bytes returned (hex), or the errno name. Values that are file descriptors
(prog arrays, map-in-maps) are written symbolically ("prog:0", "map:1") and lookups that return
kernel ids are translated back to the same symbols, so the fixtures do not depend on ids.

  create.json   map_create validation (which attributes each type refuses, with which errno)
  ops.json      element operations, flags, order of get_next_key, batch ops
  bpftool.json  the exact JSON shape of `bpftool map dump -j` (plain and per-CPU maps)

usage: sudo python3 scripts/record-map-semantics.py   (needs root, bpffs at /sys/fs/bpf, bpftool)
"""
import ctypes
import errno
import json
import os
import platform
import struct
import sys
import subprocess

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bpf_syscall import bpf_raw  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO, 'test', 'fixtures', 'maps')

BPF_MAP_CREATE, BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM = 0, 1, 2, 3
BPF_MAP_GET_NEXT_KEY, BPF_PROG_LOAD, BPF_OBJ_PIN = 4, 5, 6
BPF_PROG_GET_FD_BY_ID, BPF_MAP_GET_FD_BY_ID, BPF_OBJ_GET_INFO_BY_FD = 13, 14, 15
BPF_MAP_LOOKUP_AND_DELETE_ELEM, BPF_MAP_FREEZE = 21, 22
BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_AND_DELETE_BATCH = 24, 25
BPF_MAP_UPDATE_BATCH, BPF_MAP_DELETE_BATCH = 26, 27
ATTR_SIZE = 128

T = dict(type_99=99, hash=1, array=2, prog_array=3, perf_event_array=4, percpu_hash=5, percpu_array=6,
         lru_hash=9, lru_percpu_hash=10, lpm_trie=11, array_of_maps=12, hash_of_maps=13,
         queue=22, stack=23, ringbuf=27, bloom_filter=30)
F = dict(NO_PREALLOC=1, NO_COMMON_LRU=2, NUMA_NODE=4, RDONLY=8, WRONLY=16, ZERO_SEED=64,
         RDONLY_PROG=128, WRONLY_PROG=256, MMAPABLE=1024, INNER_MAP=4096)

NCPUS = os.cpu_count()


class BpfError(Exception):
    def __init__(self, e):
        super().__init__(errno.errorcode.get(e, str(e)))
        names = {524: 'ENOTSUPP', errno.EOPNOTSUPP: 'EOPNOTSUPP'}
        self.name = names.get(e) or errno.errorcode.get(e, str(e))


def bpf(cmd, attr):
    ret, e, raw = bpf_raw(cmd, attr, ATTR_SIZE)
    if ret < 0:
        raise BpfError(e)
    return ret, raw


def map_create(type_, key, value, max_entries, flags=0, inner_fd=0, map_extra=0):
    attr = struct.pack('<IIIIIII16sIIIIIQ', type_, key, value, max_entries, flags, inner_fd, 0,
                       b'', 0, 0, 0, 0, 0, map_extra)
    fd, _ = bpf(BPF_MAP_CREATE, attr)
    return fd


def load_trivial_prog(ptype=3, ret=0):
    # mov r0, ret; exit
    insns = struct.pack('<BBhi', 0xb7, 0, 0, ret) + struct.pack('<BBhi', 0x95, 0, 0, 0)
    ibuf = ctypes.create_string_buffer(insns, len(insns))
    lic = ctypes.create_string_buffer(b'GPL')
    attr = struct.pack('<IIQQIIQI', ptype, 2, ctypes.addressof(ibuf), ctypes.addressof(lic), 0, 0, 0, 0)
    fd, _ = bpf(BPF_PROG_LOAD, attr)
    return fd


def obj_info_id(fd):
    info = ctypes.create_string_buffer(256)
    attr = struct.pack('<IIQ', fd, 256, ctypes.addressof(info))
    bpf(BPF_OBJ_GET_INFO_BY_FD, attr)
    # bpf_prog_info and bpf_map_info both carry `id` at offset 4
    return struct.unpack_from('<I', info.raw, 4)[0]


class Ctx:
    """Per-case state: the map, the symbolic fds (prog:N, map:N) and their ids."""

    def __init__(self, m):
        self.m = m
        self.fd = None
        self.key_size = m['key']
        self.value_size = m['value']
        percpu = m['type'] in ('percpu_hash', 'percpu_array', 'lru_percpu_hash')
        self.value_len = ((m['value'] + 7) // 8 * 8) * NCPUS if percpu else m['value']
        self.syms = {}     # 'prog:0' -> fd
        self.ids = {}      # kernel id -> 'prog:0'
        self.fds = []

    def sym(self, name):
        if name not in self.syms:
            kind, _ = name.split(':')
            if kind == 'prog':
                fd = load_trivial_prog(self.m.get('prog_type', 3))
            else:
                inner = self.m.get('inner_spec', dict(type='array', key=4, value=8, max=4, flags=0))
                inner = {**inner, **self.m.get('sym_overrides', {}).get(name, {})}
                fd = map_create(T[inner['type']], inner['key'], inner['value'], inner['max'], inner.get('flags', 0))
            self.syms[name] = fd
            self.ids[obj_info_id(fd)] = name
            self.fds.append(fd)
        return self.syms[name]

    def value_bytes(self, v):
        if isinstance(v, str) and ':' in v:
            return struct.pack('<I', self.sym(v))
        return bytes.fromhex(v)

    def decode_value(self, raw):
        if self.m['type'] in ('prog_array', 'array_of_maps', 'hash_of_maps'):
            ident = struct.unpack('<I', raw[:4])[0]
            return self.ids.get(ident, f'id:{ident}')
        return raw.hex()


def buf(data, size=None):
    b = ctypes.create_string_buffer(data if data is not None else b'', size if size is not None else max(len(data or b''), 1))
    return b


def run_op(c, op):
    kind = op['op']
    key = bytes.fromhex(op['key']) if op.get('key') is not None else None
    flags = op.get('flags', 0)
    if kind == 'update':
        k, v = buf(key or b''), buf(c.value_bytes(op['value']))
        bpf(BPF_MAP_UPDATE_ELEM, struct.pack('<IIQQQ', c.fd, 0, ctypes.addressof(k) if key is not None else 0, ctypes.addressof(v), flags))
        return 0
    if kind in ('lookup', 'lookup_and_delete'):
        k, v = buf(key or b''), buf(None, max(c.value_len, 1))
        if op.get('value') is not None:  # bloom filters look up the value itself
            v = buf(bytes.fromhex(op['value']))
        cmd = BPF_MAP_LOOKUP_ELEM if kind == 'lookup' else BPF_MAP_LOOKUP_AND_DELETE_ELEM
        bpf(cmd, struct.pack('<IIQQQ', c.fd, 0, ctypes.addressof(k) if key is not None else 0, ctypes.addressof(v), flags))
        return c.decode_value(v.raw[:c.value_len])
    if kind == 'delete':
        k = buf(key or b'')
        bpf(BPF_MAP_DELETE_ELEM, struct.pack('<IIQQQ', c.fd, 0, ctypes.addressof(k) if key is not None else 0, 0, flags))
        return 0
    if kind == 'next':
        k, n = buf(key or b''), buf(None, max(c.key_size, 1))
        bpf(BPF_MAP_GET_NEXT_KEY, struct.pack('<IIQQ', c.fd, 0, ctypes.addressof(k) if key is not None else 0, ctypes.addressof(n)))
        return n.raw[:c.key_size].hex()
    if kind == 'keys':
        # the whole get_next_key walk from NULL, the order a dump sees
        out, prev = [], None
        while True:
            try:
                prev = run_op(c, {'op': 'next', 'key': prev})
            except BpfError as e:
                if e.name != 'ENOENT':
                    raise
                return out
            out.append(prev)
    if kind == 'freeze':
        bpf(BPF_MAP_FREEZE, struct.pack('<I', c.fd))
        return 0
    if kind in ('update_batch', 'delete_batch'):
        ks = b''.join(bytes.fromhex(k) for k in op['keys'])
        keys = buf(ks)
        vals = buf(b''.join(c.value_bytes(v) for v in op.get('values', [])) or b'\0')
        cnt = len(op['keys'])
        cmd = BPF_MAP_UPDATE_BATCH if kind == 'update_batch' else BPF_MAP_DELETE_BATCH
        attr = struct.pack('<QQQQIIQQ', 0, 0, ctypes.addressof(keys), ctypes.addressof(vals), cnt, c.fd, op.get('elem_flags', 0), flags)
        ret, e, raw = bpf_raw(cmd, attr, ATTR_SIZE)
        done = struct.unpack_from('<I', raw, 32)[0]
        return {'result': 0 if ret >= 0 else BpfError(e).name, 'done': done}
    raise ValueError(kind)


def run_batch_lookup(c, op):
    """Batch lookups also need `count` after an error (ENOENT at the end still returns data)."""
    kind = op['op']
    count = op['count']
    keys, vals = buf(None, max(count * c.key_size, 1)), buf(None, max(count * c.value_len, 1))
    inb = buf(bytes.fromhex(op['in_batch'])) if op.get('in_batch') is not None else None
    outb = buf(None, 8)
    cmd = BPF_MAP_LOOKUP_BATCH if kind == 'lookup_batch' else BPF_MAP_LOOKUP_AND_DELETE_BATCH
    attr = struct.pack('<QQQQIIQQ', ctypes.addressof(inb) if inb is not None else 0, ctypes.addressof(outb),
                       ctypes.addressof(keys), ctypes.addressof(vals), count, c.fd, op.get('elem_flags', 0), op.get('flags', 0))
    ret, e, raw = bpf_raw(cmd, attr, ATTR_SIZE)
    n = struct.unpack_from('<I', raw, 32)[0]
    res = {'result': 0 if ret >= 0 else BpfError(e).name, 'done': n}
    if ret >= 0 or e == errno.ENOENT:
        res['keys'] = [keys.raw[i * c.key_size:(i + 1) * c.key_size].hex() for i in range(n)]
        res['values'] = [c.decode_value(vals.raw[i * c.value_len:(i + 1) * c.value_len]) for i in range(n)]
        res['out_batch'] = outb.raw[:4].hex()
    return res


def run_case(case):
    c = Ctx(case['map'])
    m = case['map']
    out = {'name': case['name'], 'map': m, 'cpus': NCPUS, 'ops': []}
    try:
        inner_fd = c.sym(m['inner']) if 'inner' in m else 0
        c.fd = map_create(T[m['type']], m['key'], m['value'], m['max'], m.get('flags', 0), inner_fd, m.get('map_extra', 0))
        out['create'] = 0
    except BpfError as e:
        out['create'] = e.name
        return out
    for op in case.get('ops', []):
        rec = dict(op)
        try:
            if op['op'] in ('lookup_batch', 'lookup_and_delete_batch'):
                rec.update(run_batch_lookup(c, op))
            elif op['op'] in ('update_batch', 'delete_batch'):
                rec.update(run_op(c, op))
            else:
                rec['result'] = run_op(c, op)
        except BpfError as e:
            rec['result'] = e.name
        out['ops'].append(rec)
    for fd in [c.fd] + c.fds:
        os.close(fd)
    return out


def h32(n):
    return struct.pack('<I', n).hex()


def h64(n):
    return struct.pack('<Q', n).hex()


# ---------------------------------------------------------------- create validation
def create_cases():
    cases = []

    def add(name, type_, key, value, max_, flags=0, **kw):
        cases.append({'name': name, 'map': dict(type=type_, key=key, value=value, max=max_, flags=flags, **kw)})

    for t in ('array', 'percpu_array'):
        add(f'{t} ok', t, 4, 8, 4)
        add(f'{t} key 0', t, 0, 8, 4)
        add(f'{t} key 8', t, 8, 8, 4)
        add(f'{t} value 0', t, 4, 0, 4)
        add(f'{t} max 0', t, 4, 8, 0)
        add(f'{t} no_prealloc', t, 4, 8, 4, F['NO_PREALLOC'])
        add(f'{t} zero_seed', t, 4, 8, 4, F['ZERO_SEED'])
        add(f'{t} rdonly|wronly', t, 4, 8, 4, F['RDONLY'] | F['WRONLY'])
        add(f'{t} rdonly_prog|wronly_prog', t, 4, 8, 4, F['RDONLY_PROG'] | F['WRONLY_PROG'])
        add(f'{t} rdonly_prog', t, 4, 8, 4, F['RDONLY_PROG'])
        add(f'{t} mmapable', t, 4, 8, 4, F['MMAPABLE'])
        add(f'{t} inner_map', t, 4, 8, 4, F['INNER_MAP'])
        add(f'{t} no_common_lru', t, 4, 8, 4, F['NO_COMMON_LRU'])
        add(f'{t} unknown flag 0x20', t, 4, 8, 4, 0x20)
        add(f'{t} value 32768', t, 4, 32768, 1)
        add(f'{t} value 32769', t, 4, 32769, 1)
        add(f'{t} value 1<<26', t, 4, 1 << 26, 1)
    for t in ('hash', 'percpu_hash', 'lru_hash', 'lru_percpu_hash'):
        add(f'{t} ok', t, 4, 8, 4)
        add(f'{t} key 0', t, 0, 8, 4)
        add(f'{t} value 0', t, 4, 0, 4)
        add(f'{t} max 0', t, 4, 8, 0)
        add(f'{t} key 512', t, 512, 8, 4)
        add(f'{t} key 513', t, 513, 8, 4)
        add(f'{t} value 32768', t, 4, 32768, 4)
        add(f'{t} value 32769', t, 4, 32769, 4)
        add(f'{t} value 1<<26', t, 4, 1 << 26, 4)
        add(f'{t} no_prealloc', t, 4, 8, 4, F['NO_PREALLOC'])
        add(f'{t} no_common_lru', t, 4, 8, 4, F['NO_COMMON_LRU'])
        add(f'{t} zero_seed', t, 4, 8, 4, F['ZERO_SEED'])
        add(f'{t} mmapable', t, 4, 8, 4, F['MMAPABLE'])
        add(f'{t} rdonly_prog', t, 4, 8, 4, F['RDONLY_PROG'])
        add(f'{t} rdonly|wronly', t, 4, 8, 4, F['RDONLY'] | F['WRONLY'])
        add(f'{t} unknown flag 0x20', t, 4, 8, 4, 0x20)
    add('lpm_trie ok', 'lpm_trie', 8, 4, 16, F['NO_PREALLOC'])
    add('lpm_trie without no_prealloc', 'lpm_trie', 8, 4, 16)
    add('lpm_trie key 4', 'lpm_trie', 4, 4, 16, F['NO_PREALLOC'])
    add('lpm_trie key 5', 'lpm_trie', 5, 4, 16, F['NO_PREALLOC'])
    add('lpm_trie key 260', 'lpm_trie', 260, 4, 16, F['NO_PREALLOC'])
    add('lpm_trie key 261', 'lpm_trie', 261, 4, 16, F['NO_PREALLOC'])
    add('lpm_trie value 0', 'lpm_trie', 8, 0, 16, F['NO_PREALLOC'])
    add('lpm_trie max 0', 'lpm_trie', 8, 4, 0, F['NO_PREALLOC'])
    add('lpm_trie rdonly_prog', 'lpm_trie', 8, 4, 16, F['NO_PREALLOC'] | F['RDONLY_PROG'])
    add('lpm_trie zero_seed', 'lpm_trie', 8, 4, 16, F['NO_PREALLOC'] | F['ZERO_SEED'])
    add('prog_array ok', 'prog_array', 4, 4, 4)
    add('prog_array value 8', 'prog_array', 4, 8, 4)
    add('prog_array key 8', 'prog_array', 8, 4, 4)
    add('prog_array max 0', 'prog_array', 4, 4, 0)
    add('prog_array rdonly_prog', 'prog_array', 4, 4, 4, F['RDONLY_PROG'])
    add('prog_array no_prealloc', 'prog_array', 4, 4, 4, F['NO_PREALLOC'])
    add('perf_event_array ok', 'perf_event_array', 4, 4, 4)
    add('perf_event_array value 8', 'perf_event_array', 4, 8, 4)
    add('perf_event_array max 0', 'perf_event_array', 4, 4, 0)
    for t in ('array_of_maps', 'hash_of_maps'):
        add(f'{t} ok', t, 4, 4, 4, inner='map:0')
        add(f'{t} value 8', t, 4, 8, 4, inner='map:0')
        add(f'{t} no inner fd (fd 0 = stdin)', t, 4, 4, 4)
        add(f'{t} max 0', t, 4, 4, 0, inner='map:0')
        add(f'{t} key 8', t, 8, 4, 4, inner='map:0')
        add(f'{t} inner prog_array', t, 4, 4, 4, inner='map:0', inner_spec=dict(type='prog_array', key=4, value=4, max=4))
        add(f'{t} inner ringbuf', t, 4, 4, 4, inner='map:0', inner_spec=dict(type='ringbuf', key=0, value=0, max=4096))
        add(f'{t} inner array_of_maps-like (hash)', t, 4, 4, 4, inner='map:0', inner_spec=dict(type='hash', key=4, value=4, max=4))
    for t in ('queue', 'stack'):
        add(f'{t} ok', t, 0, 8, 4)
        add(f'{t} key 4', t, 4, 8, 4)
        add(f'{t} value 0', t, 0, 0, 4)
        add(f'{t} max 0', t, 0, 8, 0)
        add(f'{t} no_prealloc', t, 0, 8, 4, F['NO_PREALLOC'])
        add(f'{t} rdonly_prog', t, 0, 8, 4, F['RDONLY_PROG'])
        add(f'{t} zero_seed', t, 0, 8, 4, F['ZERO_SEED'])
        add(f'{t} value 1<<26', t, 0, 1 << 26, 4)
    add('ringbuf ok', 'ringbuf', 0, 0, 4096)
    add('ringbuf 8192', 'ringbuf', 0, 0, 8192)
    add('ringbuf not power of 2', 'ringbuf', 0, 0, 12288)
    add('ringbuf not page aligned', 'ringbuf', 0, 0, 1024)
    add('ringbuf key 4', 'ringbuf', 4, 0, 4096)
    add('ringbuf value 4', 'ringbuf', 0, 4, 4096)
    add('ringbuf max 0', 'ringbuf', 0, 0, 0)
    add('ringbuf no_prealloc', 'ringbuf', 0, 0, 4096, F['NO_PREALLOC'])
    add('bloom_filter ok', 'bloom_filter', 0, 4, 100)
    add('bloom_filter key 4', 'bloom_filter', 4, 4, 100)
    add('bloom_filter value 0', 'bloom_filter', 0, 0, 100)
    add('bloom_filter max 0', 'bloom_filter', 0, 4, 0)
    add('bloom_filter map_extra 15', 'bloom_filter', 0, 4, 100, map_extra=15)
    add('bloom_filter map_extra 16', 'bloom_filter', 0, 4, 100, map_extra=16)
    add('bloom_filter no_prealloc', 'bloom_filter', 0, 4, 100, F['NO_PREALLOC'])
    add('bloom_filter zero_seed', 'bloom_filter', 0, 4, 100, F['ZERO_SEED'])
    add('unknown type 99', 'type_99', 4, 4, 4)
    return cases


# ---------------------------------------------------------------- element operations
def op_cases():
    cases = []

    def add(name, m, ops):
        cases.append({'name': name, 'map': m, 'ops': ops})

    k = h32
    arr = dict(type='array', key=4, value=8, max=4)
    add('array update flags', arr, [
        {'op': 'update', 'key': k(1), 'value': h64(7), 'flags': 0},
        {'op': 'update', 'key': k(1), 'value': h64(8), 'flags': 1},
        {'op': 'update', 'key': k(1), 'value': h64(9), 'flags': 2},
        {'op': 'update', 'key': k(4), 'value': h64(9), 'flags': 0},
        {'op': 'update', 'key': k(1), 'value': h64(9), 'flags': 3},
        {'op': 'update', 'key': k(1), 'value': h64(9), 'flags': 4},
        {'op': 'update', 'key': k(1), 'value': h64(9), 'flags': 8},
        {'op': 'lookup', 'key': k(1)},
        {'op': 'lookup', 'key': k(4)},
        {'op': 'lookup', 'key': k(1), 'flags': 1},
        {'op': 'lookup', 'key': k(1), 'flags': 4},
        {'op': 'delete', 'key': k(1)},
        {'op': 'delete', 'key': k(9)},
        {'op': 'lookup_and_delete', 'key': k(1)},
    ])
    add('array get_next_key', arr, [
        {'op': 'next', 'key': None},
        {'op': 'next', 'key': k(0)},
        {'op': 'next', 'key': k(2)},
        {'op': 'next', 'key': k(3)},
        {'op': 'next', 'key': k(4)},
        {'op': 'next', 'key': k(100)},
        {'op': 'keys'},
    ])
    add('array freeze', arr, [
        {'op': 'update', 'key': k(0), 'value': h64(1)},
        {'op': 'freeze'},
        {'op': 'update', 'key': k(0), 'value': h64(2)},
        {'op': 'lookup', 'key': k(0)},
        {'op': 'delete', 'key': k(0)},
        {'op': 'freeze'},
    ])
    add('array rdonly syscall', {**arr, 'flags': F['RDONLY']}, [
        {'op': 'update', 'key': k(0), 'value': h64(1)},
        {'op': 'lookup', 'key': k(0)},
        {'op': 'next', 'key': None},
    ])
    add('array wronly syscall', {**arr, 'flags': F['WRONLY']}, [
        {'op': 'update', 'key': k(0), 'value': h64(1)},
        {'op': 'lookup', 'key': k(0)},
        {'op': 'next', 'key': None},
    ])
    add('array value 5 (padding)', dict(type='array', key=4, value=5, max=2), [
        {'op': 'update', 'key': k(1), 'value': '0102030405'},
        {'op': 'lookup', 'key': k(1)},
    ])
    pca = dict(type='percpu_array', key=4, value=4, max=2)
    per = lambda *vs: ''.join(struct.pack('<I', v).hex() + '00000000' for v in vs)
    add('percpu_array', pca, [
        {'op': 'lookup', 'key': k(0)},
        {'op': 'update', 'key': k(0), 'value': per(*range(1, NCPUS + 1))},
        {'op': 'lookup', 'key': k(0)},
        {'op': 'update', 'key': k(0), 'value': per(*range(1, NCPUS + 1)), 'flags': 1},
        {'op': 'update', 'key': k(2), 'value': per(*range(1, NCPUS + 1))},
        {'op': 'delete', 'key': k(0)},
        {'op': 'keys'},
    ])
    hm = dict(type='hash', key=4, value=8, max=4)
    add('hash update flags', hm, [
        {'op': 'lookup', 'key': k(1)},
        {'op': 'update', 'key': k(1), 'value': h64(1), 'flags': 2},
        {'op': 'update', 'key': k(1), 'value': h64(1), 'flags': 1},
        {'op': 'update', 'key': k(1), 'value': h64(2), 'flags': 1},
        {'op': 'update', 'key': k(1), 'value': h64(3), 'flags': 2},
        {'op': 'lookup', 'key': k(1)},
        {'op': 'update', 'key': k(1), 'value': h64(3), 'flags': 3},
        {'op': 'update', 'key': k(1), 'value': h64(3), 'flags': 4},
        {'op': 'update', 'key': k(1), 'value': h64(3), 'flags': 8},
        {'op': 'lookup', 'key': k(1), 'flags': 4},
        {'op': 'delete', 'key': k(1)},
        {'op': 'delete', 'key': k(1)},
        {'op': 'lookup', 'key': k(1)},
    ])
    add('hash full', hm, [
        {'op': 'update', 'key': k(i), 'value': h64(i)} for i in range(4)
    ] + [
        {'op': 'update', 'key': k(9), 'value': h64(9)},
        {'op': 'update', 'key': k(2), 'value': h64(22)},
        {'op': 'update', 'key': k(2), 'value': h64(23), 'flags': 2},
        {'op': 'delete', 'key': k(0)},
        {'op': 'update', 'key': k(9), 'value': h64(9), 'flags': 1},
        {'op': 'lookup_and_delete', 'key': k(9)},
        {'op': 'lookup_and_delete', 'key': k(9)},
        {'op': 'lookup_and_delete', 'key': k(2), 'flags': 4},
    ])
    add('hash no_prealloc full', {**hm, 'flags': F['NO_PREALLOC']}, [
        {'op': 'update', 'key': k(i), 'value': h64(i)} for i in range(5)
    ] + [{'op': 'update', 'key': k(2), 'value': h64(22)}])
    for n, maxe in (('small', 8), ('large', 64)):
        keys = [k(i * 7 + 3) for i in range(min(maxe, 20))]
        add(f'hash zero_seed order {n}', dict(type='hash', key=4, value=4, max=maxe, flags=F['ZERO_SEED']),
            [{'op': 'update', 'key': x, 'value': h32(1)} for x in keys] + [
                {'op': 'keys'},
                {'op': 'update', 'key': keys[0], 'value': h32(2)},
                {'op': 'keys'},
                {'op': 'next', 'key': k(999999)},
                {'op': 'delete', 'key': keys[1]},
                {'op': 'keys'},
            ])
    add('hash zero_seed order key 6', dict(type='hash', key=6, value=4, max=16, flags=F['ZERO_SEED']),
        [{'op': 'update', 'key': '0a00000%x%02x00' % (i % 10, i * 37 % 256), 'value': h32(i)} for i in range(10)] + [{'op': 'keys'}])
    add('hash zero_seed order key 16', dict(type='hash', key=16, value=4, max=16, flags=F['ZERO_SEED']),
        [{'op': 'update', 'key': (h32(i) * 4), 'value': h32(i)} for i in range(10)] + [{'op': 'keys'}])
    add('percpu_hash', dict(type='percpu_hash', key=4, value=4, max=2), [
        {'op': 'update', 'key': k(1), 'value': per(*range(1, NCPUS + 1))},
        {'op': 'lookup', 'key': k(1)},
        {'op': 'update', 'key': k(2), 'value': per(*range(1, NCPUS + 1)), 'flags': 1},
        {'op': 'update', 'key': k(3), 'value': per(*range(1, NCPUS + 1))},
        {'op': 'update', 'key': k(1), 'value': per(*range(5, NCPUS + 5)), 'flags': 4},
        {'op': 'update', 'key': k(1), 'value': per(*range(5, NCPUS + 5)), 'flags': 2},
        {'op': 'lookup', 'key': k(1)},
        {'op': 'keys'},
        {'op': 'lookup_and_delete', 'key': k(1)},
    ])
    lru = dict(type='lru_hash', key=4, value=8, max=4)
    add('lru_hash flags', lru, [
        {'op': 'update', 'key': k(1), 'value': h64(1), 'flags': 2},
        {'op': 'update', 'key': k(1), 'value': h64(1), 'flags': 1},
        {'op': 'update', 'key': k(1), 'value': h64(1), 'flags': 1},
        {'op': 'update', 'key': k(1), 'value': h64(1), 'flags': 3},
        {'op': 'update', 'key': k(1), 'value': h64(1), 'flags': 4},
        {'op': 'lookup', 'key': k(1)},
        {'op': 'delete', 'key': k(1)},
        {'op': 'delete', 'key': k(1)},
    ])
    add('lru_hash eviction', {**lru, 'max': 64}, [
        {'op': 'update', 'key': k(i), 'value': h64(i)} for i in range(80)
    ] + [{'op': 'lookup', 'key': k(79)}, {'op': 'lookup', 'key': k(0)}])
    lpm = dict(type='lpm_trie', key=8, value=4, max=16, flags=F['NO_PREALLOC'])
    pfx = lambda plen, a, b, c_, d: struct.pack('<I', plen).hex() + bytes([a, b, c_, d]).hex()
    add('lpm_trie ops', lpm, [
        {'op': 'update', 'key': pfx(8, 10, 0, 0, 0), 'value': h32(1)},
        {'op': 'update', 'key': pfx(16, 10, 1, 0, 0), 'value': h32(2)},
        {'op': 'update', 'key': pfx(24, 10, 1, 2, 0), 'value': h32(3)},
        {'op': 'update', 'key': pfx(0, 0, 0, 0, 0), 'value': h32(4)},
        {'op': 'update', 'key': pfx(32, 10, 1, 2, 3), 'value': h32(5)},
        {'op': 'update', 'key': pfx(16, 192, 168, 0, 0), 'value': h32(6)},
        {'op': 'update', 'key': pfx(12, 10, 16, 0, 0), 'value': h32(7)},
        {'op': 'update', 'key': pfx(33, 10, 0, 0, 0), 'value': h32(1)},
        {'op': 'update', 'key': pfx(8, 10, 0, 0, 0), 'value': h32(9), 'flags': 1},
        {'op': 'update', 'key': pfx(9, 10, 0, 0, 0), 'value': h32(9), 'flags': 2},
        {'op': 'update', 'key': pfx(8, 10, 0, 0, 0), 'value': h32(9), 'flags': 3},
        {'op': 'update', 'key': pfx(8, 10, 0, 0, 0), 'value': h32(9), 'flags': 4},
        {'op': 'update', 'key': pfx(8, 10, 9, 9, 9), 'value': h32(1), 'flags': 2},
        {'op': 'lookup', 'key': pfx(32, 10, 1, 2, 3)},
        {'op': 'lookup', 'key': pfx(32, 10, 1, 2, 4)},
        {'op': 'lookup', 'key': pfx(32, 10, 1, 3, 4)},
        {'op': 'lookup', 'key': pfx(32, 10, 2, 3, 4)},
        {'op': 'lookup', 'key': pfx(32, 11, 2, 3, 4)},
        {'op': 'lookup', 'key': pfx(20, 10, 1, 2, 3)},
        {'op': 'lookup', 'key': pfx(32, 10, 17, 0, 1)},
        {'op': 'lookup', 'key': pfx(33, 10, 1, 2, 3)},
        {'op': 'keys'},
        {'op': 'next', 'key': pfx(32, 99, 1, 2, 3)},
        {'op': 'next', 'key': pfx(24, 10, 1, 2, 0)},
        {'op': 'next', 'key': pfx(33, 10, 1, 2, 3)},
        {'op': 'delete', 'key': pfx(16, 10, 1, 0, 0)},
        {'op': 'delete', 'key': pfx(16, 10, 1, 0, 0)},
        {'op': 'delete', 'key': pfx(32, 10, 1, 2, 9)},
        {'op': 'delete', 'key': pfx(33, 10, 1, 2, 9)},
        {'op': 'lookup', 'key': pfx(32, 10, 1, 9, 9)},
        {'op': 'keys'},
        {'op': 'lookup_and_delete', 'key': pfx(8, 10, 0, 0, 0)},
    ])
    add('lpm_trie full', {**lpm, 'max': 2}, [
        {'op': 'update', 'key': pfx(8, 10, 0, 0, 0), 'value': h32(1)},
        {'op': 'update', 'key': pfx(16, 10, 1, 0, 0), 'value': h32(2)},
        {'op': 'update', 'key': pfx(16, 10, 2, 0, 0), 'value': h32(3)},
        {'op': 'update', 'key': pfx(8, 10, 0, 0, 0), 'value': h32(4)},
        {'op': 'lookup', 'key': pfx(32, 10, 1, 1, 1)},
    ])
    import random
    rnd = random.Random(5)
    many = []
    for i in range(40):
        plen = rnd.choice([0, 1, 7, 8, 9, 15, 16, 17, 24, 31, 32])
        addr = rnd.getrandbits(32) & (((1 << 32) - 1) << (32 - plen)) & 0xffffffff if plen else 0
        many.append(struct.pack('<I', plen).hex() + struct.pack('>I', addr).hex())
    add('lpm_trie order random', {**lpm, 'max': 64}, [
        {'op': 'update', 'key': x, 'value': h32(i)} for i, x in enumerate(many)
    ] + [{'op': 'keys'}] + [{'op': 'delete', 'key': x} for x in many[::3]] + [{'op': 'keys'}] + [
        {'op': 'lookup', 'key': struct.pack('<I', 32).hex() + struct.pack('>I', rnd.getrandbits(32)).hex()} for _ in range(20)
    ])
    add('lpm_trie key 5 (prefix in 1 byte)', dict(type='lpm_trie', key=5, value=1, max=8, flags=F['NO_PREALLOC']), [
        {'op': 'update', 'key': '03000000e0', 'value': '01'},
        {'op': 'update', 'key': '01000000ff', 'value': '02'},
        {'op': 'update', 'key': '08000000f1', 'value': '03'},
        {'op': 'lookup', 'key': '08000000f0'},
        {'op': 'lookup', 'key': '0800000080'},
        {'op': 'lookup', 'key': '0800000070'},
        {'op': 'lookup', 'key': '08000000f1'},
        {'op': 'keys'},
    ])
    pa = dict(type='prog_array', key=4, value=4, max=4)
    add('prog_array', pa, [
        {'op': 'lookup', 'key': k(0)},
        {'op': 'update', 'key': k(0), 'value': 'prog:0'},
        {'op': 'lookup', 'key': k(0)},
        {'op': 'update', 'key': k(0), 'value': 'prog:1', 'flags': 1},
        {'op': 'update', 'key': k(1), 'value': 'prog:1', 'flags': 2},
        {'op': 'update', 'key': k(1), 'value': 'prog:1', 'flags': 1},
        {'op': 'update', 'key': k(4), 'value': 'prog:1'},
        {'op': 'update', 'key': k(2), 'value': 'ffffffff'},
        {'op': 'update', 'key': k(2), 'value': 'prog:1', 'flags': 4},
        {'op': 'keys'},
        {'op': 'delete', 'key': k(0)},
        {'op': 'delete', 'key': k(0)},
        {'op': 'delete', 'key': k(5)},
        {'op': 'lookup', 'key': k(0)},
        {'op': 'lookup_and_delete', 'key': k(1)},
    ])
    add('prog_array owner type', {**pa, 'prog_type': 3}, [
        {'op': 'update', 'key': k(0), 'value': 'prog:0'},
    ])
    aom = dict(type='array_of_maps', key=4, value=4, max=4, inner='map:0')
    add('array_of_maps', aom, [
        {'op': 'lookup', 'key': k(0)},
        {'op': 'update', 'key': k(0), 'value': 'map:1'},
        {'op': 'lookup', 'key': k(0)},
        {'op': 'update', 'key': k(1), 'value': 'map:2'},  # max_entries differs: allowed
        {'op': 'update', 'key': k(2), 'value': 'map:3'},  # value size differs: EINVAL
        {'op': 'update', 'key': k(2), 'value': 'map:4'},  # type differs
        {'op': 'update', 'key': k(2), 'value': 'map:5'},  # flags differ
        {'op': 'update', 'key': k(0), 'value': 'map:1', 'flags': 1},
        {'op': 'update', 'key': k(4), 'value': 'map:1'},
        {'op': 'keys'},
        {'op': 'delete', 'key': k(0)},
        {'op': 'delete', 'key': k(0)},
    ] , )
    cases[-1]['map']['sym_overrides'] = {
        'map:2': dict(max=16), 'map:3': dict(value=4), 'map:4': dict(type='hash'),
        'map:5': dict(flags=F['RDONLY_PROG']),
    }
    hom = dict(type='hash_of_maps', key=4, value=4, max=2, inner='map:0')
    add('hash_of_maps', hom, [
        {'op': 'lookup', 'key': k(0)},
        {'op': 'update', 'key': k(7), 'value': 'map:1'},
        {'op': 'lookup', 'key': k(7)},
        {'op': 'update', 'key': k(7), 'value': 'map:1', 'flags': 1},
        {'op': 'update', 'key': k(8), 'value': 'map:1', 'flags': 2},
        {'op': 'update', 'key': k(8), 'value': 'map:2'},
        {'op': 'update', 'key': k(9), 'value': 'map:1'},
        {'op': 'delete', 'key': k(7)},
        {'op': 'delete', 'key': k(7)},
        {'op': 'lookup_and_delete', 'key': k(8)},
    ])
    cases[-1]['map']['sym_overrides'] = {'map:2': dict(max=1)}
    add('inner prog_array max_entries must match', dict(type='array_of_maps', key=4, value=4, max=2, inner='map:0',
                                                        inner_spec=dict(type='prog_array', key=4, value=4, max=4)), [
        {'op': 'update', 'key': k(0), 'value': 'map:1'},
        {'op': 'update', 'key': k(1), 'value': 'map:2'},
    ])
    cases[-1]['map']['sym_overrides'] = {'map:2': dict(max=8)}
    for t in ('queue', 'stack'):
        add(t, dict(type=t, key=0, value=4, max=3), [
            {'op': 'lookup', 'key': None},
            {'op': 'lookup_and_delete', 'key': None},
            {'op': 'update', 'key': None, 'value': h32(1)},
            {'op': 'update', 'key': None, 'value': h32(2)},
            {'op': 'update', 'key': None, 'value': h32(3)},
            {'op': 'update', 'key': None, 'value': h32(4)},
            {'op': 'update', 'key': None, 'value': h32(4), 'flags': 1},
            {'op': 'update', 'key': None, 'value': h32(4), 'flags': 3},
            {'op': 'update', 'key': None, 'value': h32(4), 'flags': 2},
            {'op': 'lookup', 'key': None},
            {'op': 'lookup_and_delete', 'key': None},
            {'op': 'lookup_and_delete', 'key': None, 'flags': 4},
            {'op': 'delete', 'key': None},
            {'op': 'next', 'key': None},
            {'op': 'lookup_and_delete', 'key': None},
            {'op': 'lookup_and_delete', 'key': None},
            {'op': 'lookup_and_delete', 'key': None},
        ])
    add('bloom_filter', dict(type='bloom_filter', key=0, value=4, max=16), [
        {'op': 'lookup', 'key': None, 'value': h32(1)},
        {'op': 'update', 'key': None, 'value': h32(1)},
        {'op': 'lookup', 'key': None, 'value': h32(1)},
        {'op': 'lookup', 'key': None, 'value': h32(2)},
        {'op': 'lookup_and_delete', 'key': None, 'value': h32(1)},
        {'op': 'update', 'key': None, 'value': h32(1), 'flags': 1},
        {'op': 'update', 'key': None, 'value': h32(1), 'flags': 2},
        {'op': 'delete', 'key': None},
        {'op': 'next', 'key': None},
    ])
    add('ringbuf syscall ops', dict(type='ringbuf', key=0, value=0, max=4096), [
        {'op': 'lookup', 'key': None},
        {'op': 'update', 'key': None, 'value': ''},
        {'op': 'delete', 'key': None},
        {'op': 'next', 'key': None},
    ])
    add('perf_event_array syscall ops', dict(type='perf_event_array', key=4, value=4, max=4), [
        {'op': 'lookup', 'key': k(0)},
        {'op': 'update', 'key': k(0), 'value': 'ffffffff'},
        {'op': 'delete', 'key': k(0)},
        {'op': 'delete', 'key': k(9)},
        {'op': 'keys'},
    ])
    # batch operations
    bh = dict(type='hash', key=4, value=4, max=8, flags=F['ZERO_SEED'])
    add('hash batch', bh, [
        {'op': 'update_batch', 'keys': [k(i) for i in range(6)], 'values': [h32(i * 10) for i in range(6)]},
        {'op': 'lookup_batch', 'count': 4},
        {'op': 'lookup_batch', 'count': 4, 'in_batch': h32(6)},
        {'op': 'lookup_batch', 'count': 1, 'in_batch': h32(0)},
        {'op': 'lookup_batch', 'count': 4, 'in_batch': h32(8)},
        {'op': 'lookup_batch', 'count': 4, 'in_batch': h32(9)},
        {'op': 'lookup_batch', 'count': 4, 'in_batch': None, 'flags': 1},
        {'op': 'lookup_batch', 'count': 4, 'in_batch': None, 'elem_flags': 1},
        {'op': 'lookup_batch', 'count': 0},
        {'op': 'lookup_batch', 'count': 100},
        {'op': 'update_batch', 'keys': [k(1), k(100)], 'values': [h32(1), h32(2)], 'elem_flags': 1},
        {'op': 'update_batch', 'keys': [k(1), k(100)], 'values': [h32(1), h32(2)], 'elem_flags': 2},
        {'op': 'update_batch', 'keys': [k(1)], 'values': [h32(1)], 'elem_flags': 8},
        {'op': 'delete_batch', 'keys': [k(1), k(2), k(55), k(3)]},
        {'op': 'keys'},
        {'op': 'lookup_and_delete_batch', 'count': 2},
        {'op': 'keys'},
        {'op': 'update_batch', 'keys': [k(i) for i in range(20, 30)], 'values': [h32(i) for i in range(20, 30)]},
        {'op': 'keys'},
    ])
    ba = dict(type='array', key=4, value=4, max=5)
    add('array batch', ba, [
        {'op': 'update_batch', 'keys': [k(1), k(3)], 'values': [h32(11), h32(33)]},
        {'op': 'lookup_batch', 'count': 2},
        {'op': 'lookup_batch', 'count': 2, 'in_batch': h32(2)},
        {'op': 'lookup_batch', 'count': 2, 'in_batch': h32(4)},
        {'op': 'lookup_batch', 'count': 10},
        {'op': 'update_batch', 'keys': [k(1), k(7), k(2)], 'values': [h32(1), h32(2), h32(3)]},
        {'op': 'update_batch', 'keys': [k(1)], 'values': [h32(1)], 'elem_flags': 1},
        {'op': 'delete_batch', 'keys': [k(1)]},
        {'op': 'lookup_and_delete_batch', 'count': 2},
    ])
    add('percpu_array batch', dict(type='percpu_array', key=4, value=4, max=2), [
        {'op': 'update_batch', 'keys': [k(1)], 'values': [per(*range(3, NCPUS + 3))]},
        {'op': 'lookup_batch', 'count': 5},
    ])
    add('lpm_trie batch', lpm, [
        {'op': 'update_batch', 'keys': [pfx(8, 10, 0, 0, 0)], 'values': [h32(1)]},
        {'op': 'lookup_batch', 'count': 5},
        {'op': 'delete_batch', 'keys': [pfx(8, 10, 0, 0, 0)]},
    ])
    add('queue batch', dict(type='queue', key=0, value=4, max=4), [
        {'op': 'lookup_batch', 'count': 5},
    ])
    return cases


# ---------------------------------------------------------------- bpftool dump shape
def bpftool_shape():
    out = {}
    path = '/sys/fs/bpf/tcxsim-map-shape'
    for name, m, entries in (
        ('array', dict(type='array', key=4, value=5, max=2), [(h32(1), '2a00000001')]),
        ('hash', dict(type='hash', key=2, value=4, max=4), [('0102', h32(7))]),
        ('percpu_array', dict(type='percpu_array', key=4, value=4, max=1),
         [(h32(0), ''.join(struct.pack('<II', i + 1, 0).hex() for i in range(NCPUS)))]),
        ('percpu_hash', dict(type='percpu_hash', key=4, value=2, max=2),
         [(h32(3), ''.join(struct.pack('<HHI', i + 1, 0, 0).hex() for i in range(NCPUS)))]),
        ('lpm_trie', dict(type='lpm_trie', key=8, value=4, max=2, flags=1), [('080000000a000000', h32(5))]),
    ):
        fd = map_create(T[m['type']], m['key'], m['value'], m['max'], m.get('flags', 0))
        c = Ctx(m)
        c.fd = fd
        for kk, vv in entries:
            run_op(c, {'op': 'update', 'key': kk, 'value': vv})
        p = ctypes.create_string_buffer(path.encode())
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        bpf(BPF_OBJ_PIN, struct.pack('<QI', ctypes.addressof(p), fd))
        res = subprocess.run(['bpftool', 'map', 'dump', 'pinned', path, '-j'], capture_output=True, text=True)
        out[name] = {'map': m, 'entries': entries, 'stdout': res.stdout, 'json': json.loads(res.stdout)}
        os.unlink(path)
        os.close(fd)
    return out


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    meta = {'kernel': platform.release(), 'cpus': NCPUS}
    results = {'create': [run_case(c) for c in create_cases()], 'ops': [run_case(c) for c in op_cases()]}
    for name, cases in results.items():
        with open(os.path.join(OUT_DIR, f'{name}.json'), 'w') as f:
            json.dump({**meta, 'cases': cases}, f, indent=1)
    with open(os.path.join(OUT_DIR, 'bpftool.json'), 'w') as f:
        json.dump({**meta, 'bpftool': subprocess.run(['bpftool', 'version'], capture_output=True, text=True).stdout.splitlines()[0],
                   'dumps': bpftool_shape()}, f, indent=1)
    print('wrote', ', '.join(f'{n}.json' for n in list(results) + ['bpftool']), 'to', OUT_DIR)


if __name__ == '__main__':
    main()
