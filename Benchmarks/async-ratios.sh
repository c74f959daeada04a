#!/usr/bin/env bash
# The async rows' ratios on a shared machine: ROUNDS (default 7) interleaved rounds, each running
# pingpong-1, pingpong-100 and c2s-buf-65536 over Net's callbacks, Net's async API (NET_ASYNC=1) and
# NIOAsyncChannel (NIO_ASYNC=1) back to back, BENCH_SECONDS (default 0.5) each; prints the medians and
# the median of the per-round ratios. Needs a release build (`swift build -c release` here).
# NET_BEFORE=<path of another NetBench> adds its async run to each round (implementation
# `net-async-before`): a before/after comparison measured in the same rounds.
set -euo pipefail
cd "$(dirname "$0")"
BIN=$(swift build -c release --show-bin-path)
export BENCH_SECONDS=${BENCH_SECONDS:-0.5}
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
for round in $(seq "${ROUNDS:-7}"); do
  for scenario in pingpong-1 pingpong-100 c2s-buf-65536; do
    "$BIN/NetBench" "$scenario" | sed "s/^/round=$round /"
    NET_ASYNC=1 "$BIN/NetBench" "$scenario" | sed "s/^/round=$round /"
    if [ -n "${NET_BEFORE:-}" ]; then
      NET_ASYNC=1 "$NET_BEFORE" "$scenario" | sed "s/impl=net-async/impl=net-async-before/; s/^/round=$round /"
    fi
    NIO_ASYNC=1 "$BIN/NIOBench" "$scenario" | sed "s/^/round=$round /"
  done
done >"$raw"
python3 - "$raw" <<'PY'
import collections, re, statistics, sys
runs = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    m = re.match(r"round=(\d+) scenario=(\S+) impl=(\S+) ops_per_s=(\S+)", line)
    if m:
        runs[(m[2], int(m[1]))][m[3]] = float(m[4])
for scenario in ["pingpong-1", "pingpong-100", "c2s-buf-65536"]:
    rounds = [r for (s, _), r in sorted(runs.items()) if s == scenario and len(r) >= 3]
    if not rounds:
        continue
    med = {i: statistics.median(r[i] for r in rounds) for i in ["net", "net-async", "nio-async"]}
    per_cb = statistics.median(r["net-async"] / r["net"] for r in rounds)
    per_nio = statistics.median(r["net-async"] / r["nio-async"] for r in rounds)
    print(f"{scenario}: {len(rounds)} rounds; medians net {med['net']:.1f}, net-async {med['net-async']:.1f}, "
          f"nio-async {med['nio-async']:.1f}; async/callbacks {med['net-async'] / med['net']:.2f} "
          f"(per round {per_cb:.2f}), async/NIOAsyncChannel {med['net-async'] / med['nio-async']:.2f} (per round {per_nio:.2f})")
    if all("net-async-before" in r for r in rounds):
        before = statistics.median(r["net-async-before"] for r in rounds)
        per_before = statistics.median(r["net-async-before"] / r["net"] for r in rounds)
        per_gain = statistics.median(r["net-async"] / r["net-async-before"] for r in rounds)
        print(f"  before: net-async-before {before:.1f}; before/callbacks {before / med['net']:.2f} (per round {per_before:.2f}); "
              f"after/before per round {per_gain:.2f}")
PY
