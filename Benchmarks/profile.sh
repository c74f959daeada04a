#!/usr/bin/env bash
# Profiles one NetBench scenario with perf (software cpu-clock sampling: this machine's VM exposes no
# hardware counters) and prints the hottest functions by self time, then by inclusive time.
#
#   bash Benchmarks/profile.sh <scenario> [seconds]      e.g. bash Benchmarks/profile.sh pingpong-1 3
#
# Needs a release build of Benchmarks (make bench or `swift build -c release` in Benchmarks/) and perf.
# The perf data stays in Benchmarks/.build-perf/<scenario>.data for `perf report -i …`.
set -euo pipefail
cd "$(dirname "$0")"
scenario=$1
export BENCH_SECONDS=${2:-3}
BIN=$(swift build -c release --show-bin-path)/NetBench
mkdir -p .build-perf
data=.build-perf/$scenario.data
perf record -q -e cpu-clock -F 4000 --call-graph dwarf,16384 -o "$data" -- "$BIN" "$scenario" >&2
echo "== $scenario: self time (perf report --no-children)"
perf report -i "$data" --no-children --sort symbol --stdio -g none --percent-limit 0.7 2>/dev/null \
  | grep -v '^#' | grep -v '^$' | sed 's/  *$//' | head -45
echo "== $scenario: inclusive time (perf report --children)"
perf report -i "$data" --children --sort symbol --stdio -g none --percent-limit 3 2>/dev/null \
  | grep -v '^#' | grep -v '^$' | sed 's/  *$//' | head -45
