#!/usr/bin/env bash
# All cores (issue 22): the echo1k and connection-rate rows served by one loop and by two, against Node's
# cluster and SwiftNIO, each server in its own process and the one C load generator (c/loadgen.c) as the
# client for all. Called by run.sh after its rounds (it has built everything); on its own:
#   bash allcores.sh            (after run.sh built; RUNS, BENCH_SECONDS as for run.sh)
#
# Servers (the `impl` column):
#   net-1        NetBench server-echo: one loop (Net's ordinary server)
#   net-2rr      NET_LOOPS=2: an EventLoopGroup of 2 loops, one GroupServer, round robin (one loop accepts
#                and hands each connection to the next loop)
#   net-2rp      NET_LOOPS=2 NET_STRATEGY=reuseport: both loops listen with SO_REUSEPORT
#   nio-1/nio-2  NIOBench server-echo with NIO_THREADS=1/2 (ServerBootstrap: one loop accepts, the child
#                channels go round robin over the group)
#   node-1       node net-bench.js server-echo: one process
#   node-cl2     node cluster-echo.js: cluster with 2 workers (round robin, Node's default on Linux)
# Rows:
#   echo1k-rt    1000 connections, each with one 64-byte message in flight (loadgen echo); round trips/s
#   connrate     32 connections in flight, each connect + 64-byte echo + reset (loadgen connrate); conn/s
# Each line also carries the CPU the server and the load generator used over the run, in cores
# (utime + stime / wall time, from /proc and bash's `times`): on 2 cores the load generator takes its share.
set -euo pipefail
cd "$(dirname "$0")"

RUNS=${RUNS:-5}
export BENCH_SECONDS=${BENCH_SECONDS:-1}
BIN_DIR=${BIN_DIR:-$(swift build -c release --show-bin-path)}
C_DIR=.build-c
OUT=${ALLCORES_OUT:-results/allcores}
mkdir -p results/raw
RAW=results/raw/allcores-$(date +%Y%m%d-%H%M%S).txt
: >"$RAW"
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -gt 65536 ]; then ulimit -n 65536; else ulimit -n "$hard"; fi

declare -A CMD=(
  [net-1]="$BIN_DIR/NetBench server-echo"
  [net-2rr]="env NET_LOOPS=2 NET_STRATEGY=rr $BIN_DIR/NetBench server-echo"
  [net-2rp]="env NET_LOOPS=2 NET_STRATEGY=reuseport $BIN_DIR/NetBench server-echo"
  [nio-1]="env NIO_THREADS=1 $BIN_DIR/NIOBench server-echo"
  [nio-2]="env NIO_THREADS=2 $BIN_DIR/NIOBench server-echo"
  [node-1]="node node/net-bench.js server-echo"
  [node-cl2]="node node/cluster-echo.js"
)
IMPLS=(net-1 net-2rr net-2rp nio-1 nio-2 node-1 node-cl2)

# utime + stime (clock ticks) of a process and its children (Node's cluster workers).
cpu_ticks() {
  local total=0 pid
  for pid in "$1" $(pgrep -P "$1" || true); do
    [ -r "/proc/$pid/stat" ] || continue
    total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat") ))
  done
  echo "$total"
}

start_server() {
  local out=results/raw/allcores-server.$$.out
  : >"$out"
  # shellcheck disable=SC2086
  ${CMD[$1]} >"$out" &
  SERVER_PID=$!
  SERVER_PORT=
  for _ in $(seq 1 200); do
    SERVER_PORT=$(sed -n 's/^port=//p' "$out")
    [ -n "$SERVER_PORT" ] && break
    sleep 0.05
  done
  rm -f "$out"
  [ -n "$SERVER_PORT" ] || { echo "$1 printed no port" >&2; exit 1; }
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
}

hz=$(getconf CLK_TCK)
for run in $(seq 1 "$RUNS"); do
  offset=$(( (run - 1) % ${#IMPLS[@]} ))
  order=("${IMPLS[@]:offset}" "${IMPLS[@]:0:offset}")
  echo "== all cores, round $run/$RUNS (${order[*]})" >&2
  for row in echo1k connrate; do
    for impl in "${order[@]}"; do
      start_server "$impl"
      before=$(cpu_ticks "$SERVER_PID")
      start=$(date +%s.%N)
      # The load generator's own CPU: bash's `time` of the child (user + sys seconds).
      TIMEFORMAT='%U %S'
      if [ "$row" = echo1k ]; then
        { time "$C_DIR/loadgen" echo "$SERVER_PORT" 1000 echo1k "$impl" /dev/null >results/raw/allcores.$$.line; } 2>results/raw/allcores.$$.time \
          || echo "$impl $row: failed" >&2
      else
        { time "$C_DIR/loadgen" connrate "$SERVER_PORT" 32 connrate "$impl" >results/raw/allcores.$$.line; } 2>results/raw/allcores.$$.time \
          || echo "$impl $row: failed" >&2
      fi
      end=$(date +%s.%N)
      after=$(cpu_ticks "$SERVER_PID")
      stop_server
      line=$(grep '^scenario=' results/raw/allcores.$$.line || true)
      if [ -n "$line" ]; then
        gen=$(tail -1 results/raw/allcores.$$.time)
        extra=$(awk -v b="$before" -v a="$after" -v s="$start" -v e="$end" -v hz="$hz" -v g="$gen" 'BEGIN {
          split(g, t, " "); w = e - s
          printf "server_cores=%.2f loadgen_cores=%.2f", (a - b) / hz / w, (t[1] + t[2]) / w }')
        echo "$line $extra round=$run" | tee -a "$RAW" >&2
      fi
      rm -f results/raw/allcores.$$.line results/raw/allcores.$$.time
    done
  done
done

python3 - "$RAW" "$OUT" "$RUNS" "$BENCH_SECONDS" <<'PY'
import re, statistics, sys
raw, out, runs, seconds = sys.argv[1:]
values, cores = {}, {}
for line in open(raw):
    f = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
    key = (f["scenario"], f["impl"])
    values.setdefault(key, []).append(float(f["ops_per_s"]))
    cores.setdefault(key, []).append((float(f["server_cores"]), float(f["loadgen_cores"])))
impls = ["net-1", "net-2rr", "net-2rp", "nio-1", "nio-2", "node-1", "node-cl2"]
# Ratios within a round (the two servers ran a few seconds apart), then their median over the rounds: on a
# shared machine this is steadier than the ratio of the medians.
by_round = {}
for line in open(raw):
    f = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
    by_round.setdefault((f["scenario"], f.get("round", "?")), {})[f["impl"]] = float(f["ops_per_s"])
def paired(s, a, b):
    rs = [v[a] / v[b] for (sc, _), v in by_round.items() if sc == s and a in v and b in v and v[b] > 0]
    return f"{statistics.median(rs):.2f}×" if rs else "–"
pairs = [("net-2rr", "net-1"), ("net-2rp", "net-1"), ("net-2rr", "node-cl2"), ("net-2rp", "node-cl2"),
         ("net-2rr", "nio-2"), ("net-2rp", "nio-2"), ("nio-2", "nio-1"), ("node-cl2", "node-1")]
paired_rows = [f"| {s} | " + " | ".join(paired(s, a, b) for a, b in pairs) + " |" for s in ["echo1k-rt", "connrate"]]
rows = []
for s in ["echo1k-rt", "connrate"]:
    med = {i: statistics.median(values[(s, i)]) for i in impls if (s, i) in values}
    def r(a, b):
        return f"{med[a] / med[b]:.2f}×" if a in med and b in med and med[b] > 0 else "–"
    def h(x):
        return f"{x / 1e3:.1f}k" if x >= 1e3 else f"{x:.0f}"
    cells = [h(med[i]) if i in med else "–" for i in impls]
    ratios = [r("net-2rr", "net-1"), r("net-2rp", "net-1"), r("net-2rr", "node-cl2"), r("net-2rp", "node-cl2"),
              r("net-2rr", "nio-2"), r("net-2rp", "nio-2")]
    rows.append(f"| {s} | " + " | ".join(cells + ratios) + " |")
cpu_rows, cost_rows = [], []
for s in ["echo1k-rt", "connrate"]:
    cells, costs = [], []
    for i in impls:
        c = cores.get((s, i))
        cells.append(f"{statistics.median(x[0] for x in c):.2f} / {statistics.median(x[1] for x in c):.2f}" if c else "–")
        # CPU per op: cores / (ops/s), per round, in microseconds (the cores are averaged over the whole
        # run, set-up included, so this overstates both sides alike).
        vals = values.get((s, i), [])
        if c and vals:
            server = statistics.median(x[0] / v * 1e6 for x, v in zip(c, vals))
            gen = statistics.median(x[1] / v * 1e6 for x, v in zip(c, vals))
            costs.append(f"{server:.1f} / {gen:.1f}")
        else:
            costs.append("–")
    cpu_rows.append(f"| {s} | " + " | ".join(cells) + " |")
    cost_rows.append(f"| {s} | " + " | ".join(costs) + " |")
head = "| row | " + " | ".join(impls) + " | 2rr/1 | 2rp/1 | 2rr/node-cl2 | 2rp/node-cl2 | 2rr/nio-2 | 2rp/nio-2 |"
rule = "|---|" + "---:|" * (len(impls) + 6)
text = f"""# All cores: one loop and two (issue 22)

Medians of {runs} rounds of {seconds} s (each round runs every server in turn, in its own process); the client
is c/loadgen.c for all. echo1k-rt: round trips/s over 1000 connections; connrate: conn/s (connect + one
64-byte echo + reset, 32 in flight). Ratios: 2rr = Net, 2 loops, round robin; 2rp = Net, 2 loops, SO_REUSEPORT.
The machine has 2 cores, shared with the load generator (and other builds): see the CPU table.

{head}
{rule}
""" + "\n".join(rows) + """

Ratios within each round, median over the rounds (steadier than the ratio of the medians above):

| row | """ + " | ".join(f"{a}/{b}" for a, b in pairs) + """ |
|---|""" + "---:|" * len(pairs) + "\n" + "\n".join(paired_rows) + f"""

CPU used over the run, in cores (server / load generator), medians:

| row | """ + " | ".join(impls) + """ |
|---|""" + "---:|" * len(impls) + "\n" + "\n".join(cpu_rows) + """

CPU per op, in microseconds (server / load generator), medians: what one round trip or one connection
costs each side. Where the load generator's cost is close to the server's, two cores cannot run two
server loops and the client faster than one loop and the client: every op costs both.

| row | """ + " | ".join(impls) + """ |
|---|""" + "---:|" * len(impls) + "\n" + "\n".join(cost_rows) + "\n"
# The issue's targets, on the per-round ratios: 2 loops >= 1.3x 1 loop, and ahead of Node's cluster and NIO.
def paired_value(s, a, b):
    rs = [v[a] / v[b] for (sc, _), v in by_round.items() if sc == s and a in v and b in v and v[b] > 0]
    return statistics.median(rs) if rs else None
checks = []
for s in ["echo1k-rt", "connrate"]:
    for strat in ["net-2rr", "net-2rp"]:
        for other, goal in [("net-1", 1.3), ("node-cl2", 1.0), ("nio-2", 1.0)]:
            v = paired_value(s, strat, other)
            if v is not None:
                verdict = "met" if v >= goal else "not met"
                checks.append(f"- {s}: {strat} / {other} = {v:.2f}× (goal ≥ {goal}×): {verdict}")
text += "\nTargets (issue 22), on the per-round ratios:\n\n" + "\n".join(checks) + "\n"
open(out + ".md", "w").write(text)
print(text)
PY
echo "(written to Benchmarks/$OUT.md; raw lines in $RAW)" >&2
