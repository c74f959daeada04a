#!/usr/bin/env bash
# The all-cores experiment with a server that has work to do (PROFILE-NOTES.md, "Eleventh update"): echo1k
# against Net's echo server spinning NET_BUSY_NS (default 20000) ns of CPU per 'data' event, 1 loop against
# 2 loops (round robin, SO_REUSEPORT), so that the server and not the load generator runs out of CPU.
# Prints one line per run, with the round and the server's CPU (cores, over the whole run). After run.sh
# or `swift build -c release` has built NetBench; ROUNDS (default 5), BENCH_SECONDS (default 1).
set -euo pipefail
cd "$(dirname "$0")"
BIN=$(swift build -c release --show-bin-path)
export BENCH_SECONDS=${BENCH_SECONDS:-1}
BUSY=${NET_BUSY_NS:-20000}
mkdir -p .build-c
[ -x .build-c/loadgen ] || cc -O2 -Wall -Wextra -o .build-c/loadgen c/loadgen.c $(pkg-config --cflags --libs libuv)
hz=$(getconf CLK_TCK)
for round in $(seq 1 "${ROUNDS:-5}"); do
  for cfg in "net-1:" "net-2rr:NET_LOOPS=2 NET_STRATEGY=rr" "net-2rp:NET_LOOPS=2 NET_STRATEGY=reuseport"; do
    name=${cfg%%:*}
    envs=${cfg#*:}
    out=$(mktemp)
    # shellcheck disable=SC2086
    env NET_BUSY_NS="$BUSY" $envs "$BIN/NetBench" server-echo >"$out" &
    pid=$!
    port=
    for _ in $(seq 1 100); do port=$(sed -n 's/^port=//p' "$out"); [ -n "$port" ] && break; sleep 0.05; done
    rm -f "$out"
    before=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    start=$(date +%s.%N)
    line=$(.build-c/loadgen echo "$port" 1000 "echo1k-busy$BUSY" "$name" /dev/null)
    end=$(date +%s.%N)
    after=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    echo "$line round=$round server_cores=$(awk -v a="$after" -v b="$before" -v s="$start" -v e="$end" -v hz="$hz" \
      'BEGIN { printf "%.2f", (a - b) / hz / (e - s) }')"
  done
done
