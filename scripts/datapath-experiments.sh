#!/bin/bash
# datapath-experiments.sh: measures two datapath details the spec leaves open, on the real kernel,
# in a private network namespace (needs root, iproute2, clang, bpftool, python3):
#  1. order of two cls_bpf filters with the same pref (which handle runs first, `tc filter show` order)
#  2. how many times an egress program that redirects to its own device's egress runs before the
#     xmit recursion limit drops the packet.
# Writes JSON to stdout: scripts/datapath-experiments.sh > test/fixtures/datapath/kernel-experiments.json
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c "$here/datapath-recursion.bpf.c" -o "$tmp/rec.o"
exec unshare -n bash -s "$tmp" <<'INNER'
set -euo pipefail
tmp=$1
ip link add name a type veth peer name b
ip link set dev a up; ip link set dev b up
send() { # dev ethertype count
python3 - "$1" "$2" "$3" <<'PY'
import socket, sys, struct
dev, et, n = sys.argv[1], int(sys.argv[2], 16), int(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((dev, 0))
for _ in range(n):
    s.send(b'\xff' * 6 + b'\x02\x00\x00\x00\x00\x01' + struct.pack('!H', et) + b'\x00' * 46)
PY
}
# --- 1: same-pref cls_bpf direct-action filters on b ingress: handle 1 (added first) returns
# TC_ACT_SHOT, handle 2 returns TC_ACT_OK. clsact's drop counter says which one ran first.
tc qdisc add dev b clsact
tc filter add dev b ingress pref 10 handle 1 bpf da bytecode '1,6 0 0 2,'
tc filter add dev b ingress pref 10 handle 2 bpf da bytecode '1,6 0 0 0,'
send a 88b5 3
sleep 0.2
tc -j filter show dev b ingress > "$tmp/show.json"
tc -s -j qdisc show dev b > "$tmp/qdisc.json"
tc qdisc del dev b clsact
# --- 2: egress self-redirect loop on a
tc qdisc add dev a clsact
tc filter add dev a egress bpf da obj "$tmp/rec.o" sec tc
send a 88b5 1
sleep 0.2
runs=$(bpftool -j map dump name runs)
python3 - "$tmp/show.json" "$runs" "$(uname -r)" "$tmp/qdisc.json" <<'PY'
import json, sys
show = json.load(open(sys.argv[1]))
runs = json.loads(sys.argv[2])
order = []
for f in show:
    opts = f.get('options', {})
    if 'handle' not in opts:
        continue
    order.append({'pref': f.get('pref'), 'handle': opts['handle']})
drops = [q.get('drops') for q in json.load(open(sys.argv[4])) if q.get('kind') == 'clsact']
val = runs[0]['value']
n = int.from_bytes(bytes(int(x, 16) for x in val), 'little') if isinstance(val, list) else int(val)
print(json.dumps({
    'kernel': sys.argv[3],
    'same_pref_filters': {
        'setup': 'b ingress: pref 10 handle 1 (added first, da, returns SHOT) then pref 10 handle 2 (da, returns OK); 3 frames sent',
        'show_order': order,
        'clsact_drops': drops[0] if drops else None,
        'first_to_run': 'handle 1' if drops and drops[0] == 3 else 'handle 2' if drops and drops[0] == 0 else 'unclear',
    },
    'egress_self_redirect': {
        'setup': 'a egress: cls_bpf da program redirects every 0x88B5 frame to a egress; 1 frame sent',
        'program_runs': n,
    },
}, indent=2))
PY
INNER
