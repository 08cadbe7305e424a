#!/bin/bash
# datapath-review-experiments.sh: measures, on the real kernel and in a private network namespace,
# the datapath details a review of tcxsim questioned (needs root, iproute2, clang, bpftool,
# python3, tracefs for the skb:kfree_skb drop reasons):
#  1. bpf_clone_redirect: return value (target up / down, egress / BPF_F_INGRESS), what the clone
#     carries (bytes at call time; the Ethernet header when a cls_bpf filter clones at ingress)
#  2. AF_PACKET send on a device that is down
#  3. transmit on a veth whose peer is down (noop qdisc)
#  4. a packet reaching the hard xmit 9 redirects deep (__dev_queue_xmit's recursion alert)
#  5. whether redirect info recorded by one program survives into another packet's bare
#     TC_ACT_REDIRECT (one net_rx_action, and separate sends)
# Writes JSON to stdout:
#   scripts/datapath-review-experiments.sh > test/fixtures/datapath/kernel-review-experiments.json
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
pin=/sys/fs/bpf/tcxsim-review-$$
trap 'rm -rf "$tmp" "$pin" "$pin-maps"' EXIT
clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c "$here/datapath-review.bpf.c" -o "$tmp/review.o"
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing
unshare -n bash -s "$tmp" "$pin" <<'INNER'
set -euo pipefail
tmp=$1; pin=$2
out=$tmp/out.txt; : > "$out"
T=/sys/kernel/tracing
bpftool prog loadall "$tmp/review.o" "$pin" type classifier pinmaps "$pin-maps"
rec() { echo "$1=$2" >> "$out"; }
slot() { # read slot K as a signed 64-bit integer
  bpftool -j map lookup pinned "$pin-maps/res" key $1 0 0 0 | python3 -c '
import json,sys; v=json.load(sys.stdin)["value"]
print(int.from_bytes(bytes(int(x,16) for x in v),"little",signed=True) if isinstance(v,list) else v)'
}
setslot() { # K V
  local h; h=$(python3 -c "import sys; print(' '.join('%02x' % b for b in int(sys.argv[1]).to_bytes(8,'little',signed=True)))" "$2")
  bpftool map update pinned "$pin-maps/res" key $1 0 0 0 value hex $h
}
reset() { for k in $(seq 0 15); do setslot $k 0; done; }
# (sysfs still shows the outer namespace after unshare -n: ask ip)
ifx() { ip -j link show dev $1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ifindex"])'; }
stat() { # DEV tx_dropped|rx_dropped|tx_packets
  ip -j -s link show dev $1 | python3 -c '
import json,sys; d=json.load(sys.stdin)[0]["stats64"]; k=sys.argv[1]
print(d[k[:2]][k[3:]])' "$2"
}
send() { # DEV [COUNT]: test frames (dst 02:..:02, ethertype 0x88B5, 60 bytes), one sendto each
python3 - "$1" "${2:-1}" <<'PY'
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
out = []
for _ in range(int(sys.argv[2])):
    try:
        out.append(str(s.send(b'\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x88\xb5' + b'\x00' * 46)))
    except OSError as e:
        out.append('errno %d' % e.errno)
print(','.join(out))
PY
}
trace_on() {
  echo 0 > $T/events/skb/kfree_skb/enable
  echo 'protocol == 34997' > $T/events/skb/kfree_skb/filter
  echo > $T/trace
  echo 1 > $T/events/skb/kfree_skb/enable
}
trace_off() { # KEY: the drop reasons of test frames freed since trace_on
  sleep 0.3
  echo 0 > $T/events/skb/kfree_skb/enable
  rec "$1" "$(grep -o 'reason: [A-Z_]*' $T/trace | cut -d' ' -f2 | paste -sd, -)"
  echo 0 > $T/events/skb/kfree_skb/filter
}
cls() { # DEV HOOK PROG
  tc qdisc replace dev $1 clsact
  tc filter add dev $1 $2 bpf da pinned "$pin/$3"
}
up() { for d in "$@"; do ip link set $d up; done; }

# --- 1: clone_redirect from a cls_bpf filter at vb ingress to vc (egress) -> vd
ip link add va type veth peer name vb; ip link add vc type veth peer name vd
up va vb vc vd
cls vb ingress clone; cls vd ingress seen
reset; setslot 1 $(ifx vc)
rec clone_up.sendto "$(send va)"; sleep 0.3
rec clone_up.ret "$(slot 0)"; rec clone_up.seen_first_byte "$(slot 8)"; rec clone_up.seen_len "$(slot 9)"
ip link set vc down; sleep 0.3
reset; setslot 1 $(ifx vc); tx0=$(stat vc tx_dropped)
trace_on; rec clone_down.sendto "$(send va)"; trace_off clone_down.drop_reasons
rec clone_down.ret "$(slot 0)"; rec clone_down.target_tx_dropped "$(( $(stat vc tx_dropped) - tx0 ))"
reset; setslot 1 $(ifx vc); setslot 2 1; rx0=$(stat vc rx_dropped)
trace_on; rec clone_ingress_down.sendto "$(send va)"; trace_off clone_ingress_down.drop_reasons
rec clone_ingress_down.ret "$(slot 0)"; rec clone_ingress_down.target_rx_dropped "$(( $(stat vc rx_dropped) - rx0 ))"
ip link del va; ip link del vc

# --- 2: send on a device that is down (egress program attached)
ip link add dm0 type veth peer name dm1
cls dm0 egress count; reset
trace_on; rec send_down.sendto "$(send dm0)"; trace_off send_down.drop_reasons
rec send_down.program_runs "$(slot 3)"; rec send_down.tx_dropped "$(stat dm0 tx_dropped)"

# --- 3: dm0 up, its peer dm1 down
up dm0; sleep 0.3; reset
rec peer_down.operstate "$(ip -j link show dev dm0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["operstate"])')"
rec peer_down.qdisc "$(tc qdisc show dev dm0 root | awk '{print $2}')"
trace_on; rec peer_down.sendto "$(send dm0)"; trace_off peer_down.drop_reasons
rec peer_down.program_runs "$(slot 3)"; rec peer_down.tx_dropped "$(stat dm0 tx_dropped)"; rec peer_down.peer_rx_dropped "$(stat dm1 rx_dropped)"
ip link del dm0

# --- 4: egress redirect to itself 9 times, then TC_ACT_OK: hard xmit at recursion depth 9
ip link add ra type veth peer name rb; up ra rb
cls ra egress rec9; reset
trace_on; rec recursion.sendto "$(send ra)"; trace_off recursion.drop_reasons
rec recursion.program_runs "$(slot 4)"; rec recursion.tx_dropped "$(stat ra tx_dropped)"; rec recursion.tx_packets "$(stat ra tx_packets)"
ip link del ra

# --- 5: redirect info across packets. lb ingress records bpf_redirect(lx) and passes; its
# BPF_F_INGRESS clone reaches lc ingress in the same net_rx_action, where bare7 returns 7.
ip link add la type veth peer name lb; ip link add lc type veth peer name ld; ip link add lx type veth peer name ly
up la lb lc ld lx ly
cls lb ingress leak_set; cls lc ingress bare7; cls lx egress target
reset; setslot 5 $(ifx lx); setslot 10 $(ifx lc)
trace_on; rec leak_softirq.sendto "$(send la)"; trace_off leak_softirq.drop_reasons
rec leak_softirq.bare7_runs "$(slot 6)"; rec leak_softirq.target_egress_runs "$(slot 7)"; rec leak_softirq.target_tx_packets "$(stat lx tx_packets)"
# separate sends: `two` records bpf_redirect(lx) on the first frame, bare 7 on the second
tc qdisc del dev lb clsact; cls lb ingress two
reset; setslot 5 $(ifx lx)
trace_on; rec leak_sends.sendto "$(send la 2)"; trace_off leak_sends.drop_reasons
rec leak_sends.two_runs "$(slot 11)"; rec leak_sends.target_egress_runs "$(slot 7)"
ip link del la; ip link del lc; ip link del lx
cp "$out" "$tmp/result.txt"
INNER
python3 - "$tmp/result.txt" "$(uname -r)" <<'PY'
import json, sys
res = {'kernel': sys.argv[2]}
for line in open(sys.argv[1]):
    k, _, v = line.rstrip('\n').partition('=')
    group, _, field = k.partition('.')
    if field == 'drop_reasons':
        val = [x for x in v.split(',') if x]
    elif v.lstrip('-').isdigit():
        val = int(v)
    else:
        val = v
    res.setdefault(group, {})[field] = val
res['setup'] = {
    'frame': '60 bytes: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, ethertype 0x88B5, 46 zero bytes, sent with AF_PACKET sendto',
    'clone_up': 'va<->vb, vc<->vd up; cls_bpf da `clone` at vb ingress clones to vc (egress), then writes 0xaa at offset 0; `seen` at vd ingress',
    'clone_down': 'as clone_up with vc down',
    'clone_ingress_down': 'as clone_down with BPF_F_INGRESS',
    'send_down': 'dm0 (down) with `count` at egress',
    'peer_down': 'dm0 up, its veth peer dm1 down, `count` at dm0 egress',
    'recursion': 'ra egress `rec9`: bpf_redirect to ra egress for runs 1..9, TC_ACT_OK on run 10',
    'leak_softirq': 'lb ingress `leak_set`: clone_redirect(lc, BPF_F_INGRESS), bpf_redirect(lx), return OK; lc ingress `bare7` returns 7 with no helper; lx egress `target` counts',
    'leak_sends': 'lb ingress `two`: frame 1 bpf_redirect(lx) + OK, frame 2 bare 7; two sendto calls',
}
print(json.dumps(res, indent=2))
PY
