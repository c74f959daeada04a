#!/usr/bin/env bash
# Builds the benchmarks (release), runs every implementation in turn for several rounds (A B A B …, so that
# a noisy machine hurts all of them alike), and prints the median ops/s of each scenario per implementation
# with its ratio to the baseline. The table also goes to results/latest.md; raw lines to results/raw/.
#
# An implementation is any command that prints lines `scenario=<name> impl=<impl> ops_per_s=<n> …`; add one
# to IMPLS below (name|command). Scenarios are whatever the implementations print.
#
# Environment: RUNS (rounds, default 5), QUICK=1 (2 rounds of 0.2 s per scenario), BENCH_SECONDS (time per
# scenario and round, default 0.5), BENCH_FILTER (only scenarios whose name contains it), BASELINE (node).
set -euo pipefail
cd "$(dirname "$0")"

RUNS=${RUNS:-5}
if [ "${QUICK:-0}" = 1 ]; then
  RUNS=${QUICK_RUNS:-2}
  export BENCH_SECONDS=${BENCH_SECONDS:-0.2}
fi
export BENCH_SECONDS=${BENCH_SECONDS:-0.5}
BASELINE=${BASELINE:-node}

echo "== building (release)" >&2
swift build -c release --product AddressBench >&2
BIN_DIR=$(swift build -c release --show-bin-path)

IMPLS=(
  "net|$BIN_DIR/AddressBench"
  "node|node node/address-bench.js"
)

mkdir -p results/raw
RAW=results/raw/$(date +%Y%m%d-%H%M%S).txt
: >"$RAW"
for run in $(seq 1 "$RUNS"); do
  for impl in "${IMPLS[@]}"; do
    name=${impl%%|*}
    cmd=${impl#*|}
    echo "== round $run/$RUNS: $name" >&2
    # shellcheck disable=SC2086
    $cmd | grep '^scenario=' | tee -a "$RAW" >&2
  done
done

impl_names=$(for impl in "${IMPLS[@]}"; do printf '%s ' "${impl%%|*}"; done)

# Medians per (scenario, implementation), in the order scenarios first appeared; ratios to the baseline.
table=$(awk -v impls="$impl_names" -v base="$BASELINE" '
  function field(name,   i, kv) {
    for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == name) return kv[2] }
    return ""
  }
  function median(key,   n, i, j, v, t) {
    n = count[key]
    for (i = 1; i <= n; i++) v[i] = vals[key, i]
    for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
    if (n % 2) return v[(n + 1) / 2]
    return (v[n / 2] + v[n / 2 + 1]) / 2
  }
  function human(x) {
    if (x >= 1e9) return sprintf("%.2fG", x / 1e9)
    if (x >= 1e6) return sprintf("%.2fM", x / 1e6)
    if (x >= 1e3) return sprintf("%.1fk", x / 1e3)
    return sprintf("%.0f", x)
  }
  {
    s = field("scenario"); m = field("impl"); v = field("ops_per_s") + 0
    if (s == "" || m == "") next
    if (!(s in seen)) { seen[s] = 1; order[++ns] = s }
    key = s SUBSEP m
    vals[key, ++count[key]] = v
  }
  END {
    ni = split(impls, names, " ")
    header = "| scenario |"; rule = "|---|"
    for (i = 1; i <= ni; i++) { header = header " " names[i] " ops/s |"; rule = rule "---:|" }
    for (i = 1; i <= ni; i++) if (names[i] != base) { header = header " " names[i] "/" base " |"; rule = rule "---:|" }
    print header; print rule
    for (k = 1; k <= ns; k++) {
      s = order[k]; line = "| " s " |"
      for (i = 1; i <= ni; i++) {
        key = s SUBSEP names[i]
        med[i] = (key in count) ? median(key) : 0
        line = line " " ((key in count) ? human(med[i]) " (n=" count[key] ")" : "–") " |"
      }
      b = (s SUBSEP base in count) ? median(s SUBSEP base) : 0
      for (i = 1; i <= ni; i++) if (names[i] != base) line = line " " ((b > 0 && med[i] > 0) ? sprintf("%.1f×", med[i] / b) : "–") " |"
      print line
    }
  }' "$RAW")

{
  echo "# Benchmark results"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $RUNS rounds of ${BENCH_SECONDS}s per scenario, implementations run in turn;"
  echo "medians of ops/s. Machine: $(nproc) cores, $(uname -m), $(swift --version 2>/dev/null | head -1 | sed 's/ (.*//'),"
  echo "node $(node --version). One op: isipv4/isipv6 = Node's benchmark/net/net-is-ip-v{4,6}.js iteration (three"
  echo "calls); blocklist-<rules>-<count>-<hit|miss> = one check(address, family) against that many rules."
  echo
  echo "$table"
} >results/latest.md

echo
echo "$table"
echo
echo "(written to Benchmarks/results/latest.md; raw lines in $RAW)"
