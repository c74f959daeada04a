#!/usr/bin/env bash
# Profiles one NetBench scenario with perf (software cpu-clock sampling: this machine's VM exposes no
# hardware counters) and prints the hottest functions by self time, then by inclusive time.
#
#   bash Benchmarks/profile.sh <scenario> [seconds]      e.g. bash Benchmarks/profile.sh pingpong-1 3
#
# Needs a release build of Benchmarks (make bench or `swift build -c release` in Benchmarks/) and perf.
# REPORT_ONLY=1 reports an existing recording again. The perf data stays in Benchmarks/.build-perf/<scenario>.data for `perf report -i …`.
set -euo pipefail
cd "$(dirname "$0")"
scenario=$1
export BENCH_SECONDS=${2:-3}
BIN=$(swift build -c release --show-bin-path)/NetBench
mkdir -p .build-perf
data=.build-perf/$scenario.data
[ "${REPORT_ONLY:-0}" = 1 ] || perf record -q -e cpu-clock -F 4000 --call-graph dwarf,16384 -o "$data" -- "$BIN" "$scenario" >&2
# Swift names demangled and shortened; perf's trailing columns dropped.
tidy() { grep -v '^#' | grep -v '^$' | swift demangle --simplified | sed -E 's/ +-? +-? *$//' | cut -c1-${WIDTH:-170}; }
echo "== $scenario: self time (perf report --no-children)"
perf report -i "$data" --no-children --sort dso,symbol --stdio -g none --percent-limit 0.7 2>/dev/null | tidy | head -40 || true
echo "== $scenario: inclusive time of Net's and libuv's functions (perf report --children, inlined frames too)"
perf report -i "$data" --children --sort symbol --stdio -g none --percent-limit 2 2>/dev/null | tidy \
  | grep -E 'Socket|Writable|Readable|StreamHandle|EventEmitter|EventLoop|Buffer|Server|Handle|Codec|Request|Timer|uv_|malloc|free|swift_|memmove|memcpy' | head -${ROWS:-45} || true
echo "== $scenario: self time by category"
perf report -i "$data" --no-children --sort dso,symbol --stdio -g none --percent-limit 0 2>/dev/null \
  | grep -v '^#' | swift demangle --simplified | python3 perf-categories.py
