#!/usr/bin/env bash
# Instructions per ping-pong round trip of Net's async API next to its callbacks, counted by callgrind
# (deterministic where wall-clock figures on a shared machine are not), split by object, with the
# Swift-concurrency runtime calls an `await` costs (async-cost.py).
#
#   bash Benchmarks/async-cost.sh [scenario] [NetBench binary]     (default pingpong-100, this build)
#
# Each implementation runs twice under callgrind, COST_SHORT and COST_LONG seconds (default 1 and 3), and
# the figures are the differences divided by the round trips in between (two writes each), as cost.sh does.
set -euo pipefail
cd "$(dirname "$0")"
SCENARIO=${1:-pingpong-100}
BIN=${2:-$(swift build -c release --show-bin-path)/NetBench}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for async in 0 1; do
  for seconds in "${COST_SHORT:-1}" "${COST_LONG:-3}"; do
    NET_ASYNC=$async BENCH_SECONDS=$seconds valgrind --tool=callgrind --callgrind-out-file="$work/cg.$async.$seconds" \
      "$BIN" "$SCENARIO" >/dev/null 2>"$work/valgrind.log" || { tail -5 "$work/valgrind.log" >&2; exit 1; }
  done
  [ "$async" = 1 ] && echo "== $SCENARIO, async API (NET_ASYNC=1)" || echo "== $SCENARIO, callbacks"
  python3 async-cost.py "$work/cg.$async.${COST_SHORT:-1}" "$work/cg.$async.${COST_LONG:-3}"
done
