#!/usr/bin/env bash
# The cost rows of `make bench`: instructions and memory allocations per connection (connrate-32: connect,
# accept, close, both ends in one process) and per ping-pong round trip (pingpong-1), for Net, the C
# program, SwiftNIO and Node, counted by valgrind's callgrind (this machine's VM has no hardware counters,
# so `perf stat -e instructions` cannot count them; callgrind counts every instruction the process runs,
# Node's JIT-compiled code included).
#
#   bash Benchmarks/cost.sh [impl...]      prints `scenario=cost-… impl=… ops_per_s=<value> unit=…` lines
#
# Each program runs twice under callgrind, for COST_SHORT and COST_LONG seconds (default 1 and 3, wall time;
# Node 4 and 16: see below), and the
# figures are the differences between the two runs divided by the difference in work done, so what every
# run pays once (start-up, the JIT's warm-up, the listen) drops out. Work is counted at the C library, the
# same for all four: a connection is one `socket()` call (the client's), a round trip two calls of
# `write`/`writev`/`send`/`sendmsg` (one per end). Allocations are calls of malloc, calloc, realloc,
# posix_memalign, aligned_alloc and memalign: Swift objects and C structures alike; V8's own heap (Node's
# JavaScript objects) does not go through malloc and is not counted.
#
# Needs the release builds run.sh makes (it calls this at the end of a full run) and valgrind.
set -euo pipefail
cd "$(dirname "$0")"
SHORT=${COST_SHORT:-1}
LONG=${COST_LONG:-3}
BIN_DIR=$(swift build -c release --show-bin-path)
declare -A CMD=(
  [net]="$BIN_DIR/NetBench"
  [libuv]=".build-c/uvbench"
  [nio]="$BIN_DIR/NIOBench"
  [node]="node node/net-bench.js"
)
IMPLS=("$@")
[ ${#IMPLS[@]} -gt 0 ] || IMPLS=(net libuv nio node)
ALLOCS="malloc calloc realloc posix_memalign aligned_alloc memalign"
WRITES="write writev send sendmsg"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# valgrind 3.19 gives up on the DWARF of the SwiftNIO build ("Possibly corrupted debuginfo file"): it runs
# a copy without the debug sections (the symbol table stays, so the C library's functions keep their names).
if [ -e "$BIN_DIR/NIOBench" ]; then objcopy --strip-debug "$BIN_DIR/NIOBench" "$work/NIOBench"; fi
CMD[nio]="$work/NIOBench"

# Runs `$1 $2` under callgrind for $3 seconds; prints the totals line of callgrind-totals.py.
measure() {
  local out="$work/cg.$1.$2.$3"
  # shellcheck disable=SC2086
  BENCH_SECONDS=$3 valgrind --tool=callgrind --callgrind-out-file="$out" --smc-check=all-non-file \
    ${CMD[$1]} "$2" >/dev/null 2>"$work/valgrind.log" || { echo "$1 $2: valgrind failed" >&2; tail -5 "$work/valgrind.log" >&2; return 1; }
  python3 callgrind-totals.py "$out" $ALLOCS socket $WRITES
}

field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
sum() { local line=$1 total=0 name; shift; for name in "$@"; do total=$((total + $(field "$line" "$name"))); done; echo $total; }

for impl in "${IMPLS[@]}"; do
  short_s=$SHORT long_s=$LONG
  # Node compiles its hot functions while it runs; under valgrind that takes seconds, so it gets longer
  # runs, or the compiler's work would be counted as the work of the few hundred connections in between.
  if [ "$impl" = node ]; then short_s=${COST_NODE_SHORT:-4} long_s=${COST_NODE_LONG:-16}; fi
  for scenario in connrate-32 pingpong-1; do
    short=$(measure "$impl" "$scenario" "$short_s") || continue
    long=$(measure "$impl" "$scenario" "$long_s") || continue
    if [ "$scenario" = connrate-32 ]; then
      units=$(( $(field "$long" socket) - $(field "$short" socket) )); name=conn
    else
      # shellcheck disable=SC2086
      units=$(( ( $(sum "$long" $WRITES) - $(sum "$short" $WRITES) ) / 2 )); name=rt
    fi
    [ "$units" -gt 0 ] || { echo "$impl $scenario: no work counted" >&2; continue; }
    instructions=$(( $(field "$long" instructions) - $(field "$short" instructions) ))
    # shellcheck disable=SC2086
    allocs=$(( $(sum "$long" $ALLOCS) - $(sum "$short" $ALLOCS) ))
    awk -v i="$impl" -v n="$name" -v u="$units" -v ins="$instructions" -v a="$allocs" 'BEGIN {
      printf "scenario=cost-%s-instructions impl=%s ops_per_s=%.0f unit=instr/%s units=%d\n", n, i, ins / u, n, u
      printf "scenario=cost-%s-allocations impl=%s ops_per_s=%.2f unit=allocs/%s units=%d\n", n, i, a / u, n, u
    }'
  done
done
