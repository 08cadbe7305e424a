#!/usr/bin/env bash
# record-oracle-fixtures.sh: regenerates test/fixtures/oracle from the real kernel with
# ../shared/oracle/kernel_tcx.py (needs root; Linux >= 6.6 with tcx). Random op files come
# from `kernel_tcx.py gen` (deterministic per seed) and are stored gzipped with their kernel
# traces; the hand-written case is copied (ops as-is, trace gzipped).
#
#   sudo scripts/record-oracle-fixtures.sh            # seeds 1..32
#   SEEDS="1 2 3" sudo scripts/record-oracle-fixtures.sh
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
oracle="${ORACLE:-$repo/../shared/oracle}"
out="$repo/test/fixtures/oracle"
seeds="${SEEDS:-$(seq 1 32)}"
k="python3 $oracle/kernel_tcx.py"

mkdir -p "$out/random"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cp "$oracle/cases/handwritten.ops.json" "$out/handwritten.ops.json"
$k run "$out/handwritten.ops.json" > "$tmp/hw.trace.json"
gzip -9n < "$tmp/hw.trace.json" > "$out/handwritten.trace.json.gz"

for seed in $seeds; do
  ops=$((300 + 100 * (seed % 3)))        # 300, 400 or 500 ops
  name="$(printf 'seed-%03d' "$seed")"
  $k gen --seed "$seed" --ops "$ops" > "$tmp/$name.ops.json"
  $k run "$tmp/$name.ops.json" > "$tmp/$name.trace.json"
  gzip -9n < "$tmp/$name.ops.json" > "$out/random/$name.ops.json.gz"
  gzip -9n < "$tmp/$name.trace.json" > "$out/random/$name.trace.json.gz"
  echo "$name: $ops ops" >&2
done
