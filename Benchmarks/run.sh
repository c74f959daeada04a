#!/usr/bin/env bash
# Builds the benchmarks (release Swift, -O2 C), runs every scenario in every implementation in turn for
# several rounds (round 1: scenario 1 in net, libuv, nio, node; scenario 2 in …; then round 2 …), so that a
# noisy machine hurts all of them alike, and prints the median of each (scenario, implementation) with the
# ratios Net/other. Tables go to results/latest.md, medians to results/latest.tsv, the chart to
# results/latest.svg (results/quick.* for QUICK=1, not committed); raw lines to results/raw/ (not committed).
#
# Implementations: net (Sources/NetBench), libuv (c/uvbench.c), nio (Sources/NIOBench), node
# (node/net-bench.js). Each takes a scenario name and prints `scenario=<s> impl=<i> ops_per_s=<v> unit=<u>`
# (nothing for a scenario it does not have), or with `server-echo` serves an echo server and prints its port.
# The many-connection (echo1k, echo10k) and memory (idle10k) scenarios run the server of each implementation
# in its own process against one shared client, c/loadgen.c; the echo scenarios' round-trip times go from it
# through a file to Sources/LatencyStats (HdrHistogram), which prints their p50/p99 lines.
#
# Environment: RUNS (rounds, default 5), BENCH_SECONDS (measured seconds per scenario and round, default 1;
# each run first warms up for a fifth of that), QUICK=1 (2 rounds of 0.25 s, echo10k left out),
# BENCH_FILTER (only scenarios whose name contains it), ADDRESS_SECONDS (the isIP/BlockList scenarios,
# default 0.5).
set -euo pipefail
cd "$(dirname "$0")"

RUNS=${RUNS:-5}
QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
  RUNS=${QUICK_RUNS:-2}
  BENCH_SECONDS=${BENCH_SECONDS:-0.25}
  ADDRESS_SECONDS=${ADDRESS_SECONDS:-0.1}
fi
export BENCH_SECONDS=${BENCH_SECONDS:-1}
ADDRESS_SECONDS=${ADDRESS_SECONDS:-0.5}
FILTER=${BENCH_FILTER:-}
unset BENCH_FILTER   # the socket programs take one scenario each; AddressBench gets FILTER below

# 10k connections need 10k descriptors in the server and in the client.
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -gt 65536 ]; then ulimit -n 65536; else ulimit -n "$hard"; fi
FDS=$(ulimit -n)

# ---- build ----
echo "== building (release)" >&2
# SwiftPM keeps the build plan of an already-built package, file list included: a Swift file added to Net
# (or to this package) since the last build would be left out, and the run would measure stale code. So
# the plan is made again whenever the list of source files has changed.
sources_list=.build/bench-sources.list
sources=$(cd .. && find Sources Modules Benchmarks/Sources -type f | sort)
if [ ! -f "$sources_list" ] || [ "$sources" != "$(cat "$sources_list")" ]; then
  rm -f .build/release.yaml .build/release/description.json
fi
swift build -c release >&2
mkdir -p .build && printf '%s\n' "$sources" >"$sources_list"
BIN_DIR=$(swift build -c release --show-bin-path)
C_DIR=.build-c
mkdir -p "$C_DIR"
for prog in uvbench loadgen; do
  if [ ! -x "$C_DIR/$prog" ] || [ "c/$prog.c" -nt "$C_DIR/$prog" ] || [ c/common.h -nt "$C_DIR/$prog" ]; then
    # shellcheck disable=SC2046
    cc -O2 -Wall -Wextra -o "$C_DIR/$prog" "c/$prog.c" $(pkg-config --cflags --libs libuv)
  fi
done
# The chart needs matplotlib: from PyPI into the python3 on PATH, or Debian's package for the system one.
PYTHON=python3
if ! $PYTHON -c 'import matplotlib' 2>/dev/null; then
  echo "== installing matplotlib" >&2
  if ! $PYTHON -m pip install --quiet matplotlib >&2; then
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-matplotlib >/dev/null
    PYTHON=/usr/bin/python3
  fi
fi

declare -A CMD=(
  [net]="$BIN_DIR/NetBench"
  [libuv]="$C_DIR/uvbench"
  [nio]="$BIN_DIR/NIOBench"
  [node]="node node/net-bench.js"
  [net-gather]="env NET_GATHER_WRITES=1 $BIN_DIR/NetBench"
  [net-async]="env NET_ASYNC=1 $BIN_DIR/NetBench"
  [nio-async]="env NIO_ASYNC=1 $BIN_DIR/NIOBench"
)
IMPLS=(net libuv nio node net-gather net-async nio-async)
# Net with write gathering on (Socket.gatherWrites, not Node's behaviour; README "Small writes") runs only
# the 64-byte rows, where gathering matters; elsewhere it is Net with the defaults.
# The async versions (NET_ASYNC, NIO_ASYNC: `for try await`, `writeAsync`, NIOAsyncChannel) have only the
# pingpong, c2s-buf and echo rows.
runs_scenario() {
  case "$1" in
    net-gather) [[ "$2" == *-64 ]] ;;
    net-async|nio-async) [[ "$2" == pingpong-* || "$2" == c2s-buf-* || "$2" == echo* || "$2" == server-echo ]] ;;
    *) true ;;
  esac
}

SCENARIOS=()
for dir in c2s s2c pipe; do
  for variant in buf-64 buf-65536 buf-102400 buf-16777216 asc-102400 utf-102400; do
    SCENARIOS+=("$dir-$variant")
  done
done
SCENARIOS+=(s2c-onread-buf-65536 c2s-cork-buf-64 pingpong-1 pingpong-100 connrate-32)
MANY=(1000:echo1k)
[ "$QUICK" = 1 ] || MANY+=(10000:echo10k)
IDLE_CONNS=10000
LIMIT=$(awk -v s="$BENCH_SECONDS" 'BEGIN { print int(s * 3 + 20) }')   # seconds before a hung run is killed
matches() { [ -z "$FILTER" ] || [[ "$1" == *"$FILTER"* ]]; }

# A QUICK run is a smoke test: its tables go to results/quick.* (not committed), so the committed
# results/latest.* always come from a full run.
OUT=results/latest
[ "$QUICK" = 1 ] && OUT=results/quick

mkdir -p results/raw
STAMP=$(date +%Y%m%d-%H%M%S)
RAW=results/raw/$STAMP.txt
RAW_ADDRESS=results/raw/$STAMP-address.txt
SAMPLES=results/raw/samples.$$.bin   # one echo run's round-trip times, loadgen -> LatencyStats
: >"$RAW"
: >"$RAW_ADDRESS"

# Runs `$1 server-echo` in the background; sets SERVER_PID and SERVER_PORT.
start_server() {
  local out=results/raw/server.$$.out
  : >"$out"
  # shellcheck disable=SC2086
  ${CMD[$1]} server-echo >"$out" &
  SERVER_PID=$!
  SERVER_PORT=
  for _ in $(seq 1 200); do
    SERVER_PORT=$(sed -n 's/^port=//p' "$out")
    [ -n "$SERVER_PORT" ] && break
    sleep 0.05
  done
  rm -f "$out"
  [ -n "$SERVER_PORT" ] || { echo "$1 server-echo printed no port" >&2; exit 1; }
}

stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# RSS of the server per idle connection: VmRSS before and after IDLE_CONNS connections are accepted (each
# has made one 64-byte round trip, then stays idle), divided by the connections.
measure_idle() {
  local impl=$1 before after ready=results/raw/loadgen.$$.out
  start_server "$impl"
  sleep 0.3
  before=$(rss_kib "$SERVER_PID")
  : >"$ready"
  "$C_DIR/loadgen" idle "$SERVER_PORT" "$IDLE_CONNS" >"$ready" &
  local client=$!
  for _ in $(seq 1 600); do
    grep -q '^ready' "$ready" && break
    kill -0 "$client" 2>/dev/null || break
    sleep 0.05
  done
  if grep -q '^ready' "$ready"; then
    sleep 0.5
    after=$(rss_kib "$SERVER_PID")
    echo "scenario=idle10k-rss impl=$impl ops_per_s=$(( (after - before) * 1024 / IDLE_CONNS )) unit=B/conn rss_before_kib=$before rss_after_kib=$after"
  else
    echo "$impl: idle connections not ready" >&2
  fi
  stop "$client"
  stop "$SERVER_PID"
  rm -f "$ready"
}

for run in $(seq 1 "$RUNS"); do
  # Start each round with another implementation, so none always runs first.
  offset=$(( (run - 1) % ${#IMPLS[@]} ))
  order=("${IMPLS[@]:offset}" "${IMPLS[@]:0:offset}")
  echo "== round $run/$RUNS (${order[*]})" >&2
  for scenario in "${SCENARIOS[@]}"; do
    matches "$scenario" || continue
    for impl in "${order[@]}"; do
      runs_scenario "$impl" "$scenario" || continue
      # shellcheck disable=SC2086
      out=$(timeout "$LIMIT" ${CMD[$impl]} "$scenario") && status=0 || status=$?
      [ "$status" = 0 ] || echo "$impl $scenario: exit status $status" >&2
      grep '^scenario=' <<<"$out" | tee -a "$RAW" >&2 || true
    done
  done
  for many in "${MANY[@]}"; do
    conns=${many%%:*}
    name=${many#*:}
    matches "$name" || continue
    for impl in "${order[@]}"; do
      runs_scenario "$impl" "$name" || continue
      rm -f "$SAMPLES"
      start_server "$impl"
      "$C_DIR/loadgen" echo "$SERVER_PORT" "$conns" "$name" "$impl" "$SAMPLES" | tee -a "$RAW" >&2 \
        || echo "$impl $name: failed" >&2
      stop "$SERVER_PID"
      # The percentiles once the server is gone, so that building the histogram takes no CPU from it.
      if [ -s "$SAMPLES" ]; then
        "$BIN_DIR/LatencyStats" "$SAMPLES" "$name" "$impl" | tee -a "$RAW" >&2 || echo "$impl $name: no percentiles" >&2
      fi
      rm -f "$SAMPLES"
    done
  done
  if matches idle10k-rss; then
    for impl in "${order[@]}"; do
      runs_scenario "$impl" idle10k-rss || continue
      measure_idle "$impl" | tee -a "$RAW" >&2
    done
  fi
  # Net's and Node's isIP/BlockList scenarios (one process each runs them all).
  for impl in net node; do
    case $impl in
      net) cmd="$BIN_DIR/AddressBench" ;;
      node) cmd="node node/address-bench.js" ;;
    esac
    # shellcheck disable=SC2086
    BENCH_SECONDS=$ADDRESS_SECONDS BENCH_FILTER=$FILTER $cmd | grep '^scenario=' | tee -a "$RAW_ADDRESS" >&2     || true
  done
done

# ---- cost per connection and per round trip (callgrind; deterministic, so once per make bench) ----
if matches cost && [ "$QUICK" != 1 ]; then
  if ! command -v valgrind >/dev/null; then
    echo "== installing valgrind" >&2
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
  fi
  echo "== cost rows (callgrind)" >&2
  bash cost.sh | tee -a "$RAW" >&2 || echo "cost rows failed" >&2
fi

# All cores (issue 22): one loop against two, Node's cluster and SwiftNIO with two threads; its own table in
# results/allcores.md (results/quick-allcores.md for QUICK=1). BENCH_FILTER=allcores runs only this part.
if matches allcores; then
  ALLCORES_OUT=$([ "$QUICK" = 1 ] && echo results/quick-allcores || echo results/allcores) \
    BIN_DIR=$BIN_DIR RUNS=$RUNS bash allcores.sh >&2 || echo "allcores: failed" >&2
fi

# ---- tables ----
# Medians per (scenario, implementation) in the order scenarios first appeared. Ratios compare Net with each
# other implementation so that above 1× means Net is better: Net/other for rates, other/Net for the rows
# where lower is better (latency in us, memory in B/conn).
table() {
  awk -v impls="$1" -v tsv="${2:-/dev/null}" '
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
    function human(x, unit) {
      if (unit == "Gbit/s") return sprintf("%.2f", x)
      if (unit == "us" || unit == "B/conn") return sprintf("%.0f", x)
      if (unit ~ /^allocs\//) return sprintf("%.1f", x)
      if (x >= 1e9) return sprintf("%.2fG", x / 1e9)
      if (x >= 1e6) return sprintf("%.2fM", x / 1e6)
      if (x >= 1e3) return sprintf("%.1fk", x / 1e3)
      return sprintf("%.0f", x)
    }
    function lower(unit) { return unit == "us" || unit == "B/conn" || unit ~ /^(instr|allocs)\// }
    {
      s = field("scenario"); m = field("impl"); v = field("ops_per_s") + 0; u = field("unit")
      if (s == "" || m == "") next
      if (u == "") u = "ops/s"
      if (!(s in seen)) { seen[s] = 1; order[++ns] = s; unit[s] = u }
      key = s SUBSEP m
      vals[key, ++count[key]] = v
    }
    END {
      ni = split(impls, names, " ")
      header = "| scenario | unit |"; rule = "|---|---|"
      for (i = 1; i <= ni; i++) { header = header " " names[i] " |"; rule = rule "---:|" }
      for (i = 2; i <= ni; i++) { header = header " net vs " names[i] " |"; rule = rule "---:|" }
      print header; print rule
      printf "scenario\tunit" > tsv
      for (i = 1; i <= ni; i++) printf "\t%s", names[i] > tsv
      printf "\n" > tsv
      for (k = 1; k <= ns; k++) {
        s = order[k]; u = unit[s]; line = "| " s " | " u (lower(u) ? " ↓" : "") " |"
        printf "%s\t%s", s, u > tsv
        for (i = 1; i <= ni; i++) {
          key = s SUBSEP names[i]
          med[i] = (key in count) ? median(key) : 0
          line = line " " ((key in count) ? human(med[i], u) : "–") " |"
          printf "\t%s", ((key in count) ? med[i] : "") > tsv
        }
        printf "\n" > tsv
        for (i = 2; i <= ni; i++) {
          r = ""
          if (med[1] > 0 && med[i] > 0) r = sprintf("%.2f×", lower(u) ? med[i] / med[1] : med[1] / med[i])
          line = line " " (r == "" ? "–" : r) " |"
        }
        print line
      }
    }' "$3"
}

socket_table=$(table "net libuv nio node net-gather" "$OUT.tsv" "$RAW")
address_table=$(table "net node" /dev/null "$RAW_ADDRESS")
# Which of the issue's targets this run meets, and how firmly (targets.py; it also pools several runs).
targets_section=$("$PYTHON" targets.py "$RAW")
# The async API's rows against the callbacks and NIOAsyncChannel (async-table.py).
async_section=$("$PYTHON" async-table.py "$RAW")

libuv_version=$(pkg-config --modversion libuv)
nio_version=$(sed -n '/"swift-nio"/,/version/ s/.*"version" *: *"\(.*\)".*/\1/p' Package.resolved 2>/dev/null | head -1)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
{
  echo "# Benchmark results"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ). Machine: $(nproc) cores ($cpu), $(uname -sr), Debian $(cat /etc/debian_version 2>/dev/null)."
  echo "Versions: $(swift --version 2>/dev/null | head -1 | sed 's/ (.*//'), node $(node --version), libuv $libuv_version,"
  echo "SwiftNIO ${nio_version:-?} (NIOPosix, one event loop thread), C with $(cc --version | head -1) -O2."
  echo "$RUNS rounds; each run warms up for a fifth of ${BENCH_SECONDS}s (at least 0.05 s), then measures ${BENCH_SECONDS}s;"
  echo "every scenario runs in every implementation in turn within a round (a new process each time), and the"
  echo "table shows the median over the rounds.$([ "$QUICK" = 1 ] && echo " QUICK run: echo10k left out, fewer rounds and shorter runs than the full \`make bench\`.") ulimit -n $FDS."
  echo
  echo "**Ratios: above 1× means Net is better.** For rates (Gbit/s, rt/s, conn/s) the ratio is Net/other;"
  echo "for rows marked ↓ (lower is better: latency in us, memory in B/conn) it is other/Net."
  echo "Targets from the issues: throughput at 64 KiB+ ≥ 0.95× libuv and ≥ 1.3× node (s2c-onread: libuv only);"
  echo "ping-pong and connection rate ≥ 0.95× libuv; c2s-cork-buf-64 ≥ 0.9× libuv; echo round trips and p50"
  echo "≥ 0.9× libuv; ahead of nio on every row; ≤ 700 B RSS per idle connection; ≤ 8 allocations per connection."
  echo
  echo "What one op is:"
  echo
  echo "- \`{c2s,s2c,pipe}-{buf,asc,utf}-<len>\`: Node's benchmark/net/net-{c2s,s2c,pipe}.js in one process over"
  echo "  loopback: the sender writes <len>-byte chunks (a buffer, an ASCII string, a UTF-8 string of 'ü') as the"
  echo "  stream allows (write; on false wait for 'drain', else next tick), the receiver counts bytes."
  echo "  Gbit/s = bytes × 8 / 2^30 per second, Node's formula; pipe echoes through the server and counts twice."
  echo "  libuv has no strings, so no asc/utf rows; nio encodes the string into a new ByteBuffer per write,"
  echo "  Net writes the string's own UTF-8 and copies only what waits (README, \"Writing strings\")."
  echo "  At 64 bytes \`net\` (the defaults), libuv and node make one system call per write, nio one writev per"
  echo "  flush of what is pending; \`net-gather\` is Net with write gathering on (\`gatherWrites\`, not Node's"
  echo "  behaviour: README, \"Small writes\"), which hands a callback's small writes to the kernel together."
  echo "  Only the 64-byte rows run it; its column's ratio is net (defaults) against it."
  echo "  Reads: libuv (the C program) and node read up to 64 KiB per system call, nio up to 64 KiB (its default"
  echo "  adaptive allocator), Net up to 256 KiB after a read filled its 64 KiB (README, \"Large reads\")."
  echo "- \`s2c-onread-buf-65536\`: s2c with the client reading into one 64 KiB buffer (Node's \`onread\`,"
  echo "  net-s2c.js's recvbuflen; nio: a fixed 64 KiB receive allocator; libuv always reads that way)."
  echo "- \`c2s-cork-buf-64\`: net-c2s-cork.js: cork, write 64-byte chunks until write returns false, uncork,"
  echo "  again on 'drain' (libuv: one writev of 16 KiB of chunks at a time; nio: write without flush until not"
  echo "  writable, then flush)."
  echo "- \`pingpong-<n>\`: n connections in one process, each with one 64-byte message in flight, TCP_NODELAY on"
  echo "  both ends; one op = one round trip."
  echo "- \`connrate-32\`: connect + accept + close (both ends close at once), 32 in flight; one op = one connection."
  echo "- \`echo1k-*\`, \`echo10k-*\`: each implementation's echo server in its own process; the client is the one"
  echo "  C libuv load generator (c/loadgen.c) for all, so only the server differs. 1000 or 10000 connections,"
  echo "  each with one 64-byte message in flight: \`-rt\` = round trips/s in total, \`-p50\`/\`-p99\` = round-trip"
  echo "  time percentiles in microseconds: the load generator keeps every round trip's time (ns) in memory and"
  echo "  writes them out after the run; HdrHistogram (3 significant digits) computes the percentiles from them."
  echo "  The load generator shares the 2 cores with the server."
  echo "- \`cost-{conn,rt}-{instructions,allocations}\`: what one connection (connrate-32: connect, accept,"
  echo "  close, both ends in the process) and one ping-pong round trip (pingpong-1) cost each implementation, in"
  echo "  instructions and in calls of malloc and its kin, counted by valgrind's callgrind over two runs of"
  echo "  different lengths, whose difference drops start-up (cost.sh). Node's JavaScript objects live in V8's"
  echo "  heap, not malloc's, so its allocation figure counts only its C++ side. Measured once per run."
  echo "- \`idle10k-rss\`: the server's VmRSS (/proc/<pid>/status) before and after 10000 connections are accepted"
  echo "  (each did one 64-byte round trip, then idles), difference / 10000, in bytes per connection."
  echo
  echo "![Net compared with libuv, SwiftNIO and Node]($(basename "$OUT").svg)"
  echo
  echo "$socket_table"
  echo
  echo "$targets_section"
  echo
  echo "To see what a run meets on average here, pool the rounds of the runs kept in results/raw/:"
  echo "\`python3 targets.py results/raw/*[0-9].txt\` (PROFILE-NOTES.md has the figures and what decides them)."
  echo
  echo "$async_section"
  echo   # $( ) dropped the table's trailing blank line
  echo "## Address scenarios (Net and Node only)"
  echo
  echo "$RUNS rounds of ${ADDRESS_SECONDS}s; ops/s. One op: isipv4/isipv6 = Node's benchmark/net/net-is-ip-v{4,6}.js"
  echo "iteration (three calls); blocklist-<rules>-<count>-<hit|miss> = one check(address, family) against that many"
  echo "rules. Ratio = net/node."
  echo
  echo "$address_table"
} >"$OUT.md"

"$PYTHON" chart.py "$OUT.tsv" "$OUT.svg" "$RUNS rounds × ${BENCH_SECONDS}s$([ "$QUICK" = 1 ] && echo ", QUICK")" >&2 \
  || echo "(chart not drawn)" >&2

echo
echo "$socket_table"
echo
echo "$targets_section"
echo
echo "$address_table"
echo
echo "(written to Benchmarks/$OUT.md, $OUT.svg and $OUT.tsv; raw lines in $RAW)"
