#!/usr/bin/env bash
# Compares builds of NetBench (say, before and after a change) with the C program, interleaved: each round
# runs every program once per scenario, in turn, so a busy moment of the host hits all of them alike.
# Prints the median and the spread of each program's rate per scenario.
#
#   NETS="before=/path/to/old/NetBench after=.build/release/NetBench" \
#     bash Benchmarks/interleave.sh <rounds> <seconds> <scenario>...
#
# NETS defaults to this package's release build (label net). NIO=1 adds NIOBench. Build first
# (`swift build -c release` here; `make bench` builds .build-c/uvbench). For an older commit:
# `git worktree add /tmp/old <commit>` and `swift build -c release --product NetBench` in its Benchmarks/.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,11p' "$0" >&2; exit 2; }
cd "$(dirname "$0")"
rounds=$1 seconds=$2
shift 2
BIN_DIR=$(swift build -c release --show-bin-path)
NETS=${NETS:-net=$BIN_DIR/NetBench}
for scenario in "$@"; do
  for _ in $(seq 1 "$rounds"); do
    for entry in $NETS; do
      BENCH_SECONDS=$seconds "${entry#*=}" "$scenario" | sed "s/impl=net/impl=${entry%%=*}/"
    done
    BENCH_SECONDS=$seconds .build-c/uvbench "$scenario"
    if [ "${NIO:-0}" = 1 ]; then BENCH_SECONDS=$seconds "$BIN_DIR/NIOBench" "$scenario"; fi
  done
done | awk '
  { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    key = f["scenario"] " " f["impl"]; n[key]++; v[key, n[key]] = f["ops_per_s"] + 0 }
  END {
    for (key in n) {
      m = n[key]
      for (i = 1; i <= m; i++) a[i] = v[key, i]
      for (i = 2; i <= m; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
      median = (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
      printf "%-36s median %12.2f   min %12.2f   max %12.2f   (%d runs)\n", key, median, a[1], a[m], m
    }
  }' | sort
