#!/usr/bin/env bash
# The listener-lifetime soak (issue: listeners live as long as Node's, and self-capturing listeners leak
# nothing). Not a timed test: it prints the figures, and fails only when a run fails or LeakSanitizer
# reports a leak.
#   1. ListenerSoak server: echo server with self-capturing listeners; c/cycles.c makes CYCLES (1M)
#      connect/echo/reset cycles, 16 at a time; RSS and open descriptors every 100k.
#   2. ListenerSoak clients: CLIENTS (200k) sequential clients with self-capturing listeners.
#   3. Both again at LSAN_CYCLES (10k) in an AddressSanitizer build, LeakSanitizer on.
# Usage: bash Benchmarks/listener-soak.sh   (CYCLES, CLIENTS, LSAN_CYCLES override the counts)
set -euo pipefail
cd "$(dirname "$0")"
CYCLES=${CYCLES:-1000000}
CLIENTS=${CLIENTS:-200000}
LSAN_CYCLES=${LSAN_CYCLES:-10000}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "== building ListenerSoak (release) and c/cycles.c" >&2
swift build -c release --product ListenerSoak >&2
BIN=$(swift build -c release --show-bin-path)
mkdir -p .build-c
# shellcheck disable=SC2046
cc -O2 -Wall -Wextra -o .build-c/cycles c/cycles.c $(pkg-config --cflags --libs libuv)

server_run() {   # <binary> <cycles> <report-every>
  local port log; port=$(free_port); log=$(mktemp)
  "$1" server "$port" "$2" "$3" >"$log" &
  local pid=$!
  until grep -q '^closed 0 ' "$log"; do sleep 0.1; done
  .build-c/cycles "$port" "$2" 16
  wait "$pid"
  cat "$log"; rm -f "$log"
}

echo "== 1. echo server with self-capturing listeners, $CYCLES connect/echo/close cycles"
server_run "$BIN/ListenerSoak" "$CYCLES" $((CYCLES / 10)) | tee /tmp/listener-soak-server.txt
echo "== 2. client loop, $CLIENTS sequential connections with self-capturing listeners"
"$BIN/ListenerSoak" clients "$CLIENTS" $((CLIENTS / 10)) | tee /tmp/listener-soak-clients.txt

python3 - /tmp/listener-soak-server.txt /tmp/listener-soak-clients.txt <<'PY'
import sys
for path, a, b in ((sys.argv[1], 0.1, 1.0), (sys.argv[2], 0.1, 1.0)):
    rows = [l.split() for l in open(path) if l.startswith("closed ")]
    n = int(rows[-1][1])
    pick = lambda f: next(r for r in rows if int(r[1]) == int(n * f))
    x, y = pick(a), pick(b)
    print(f"{path}: RSS {x[3]} KiB at {x[1]}, {y[3]} KiB at {y[1]}: growth {int(y[3]) - int(x[3])} KiB; "
          f"descriptors {rows[0][5]} at start, {y[5]} at the end")
PY

echo "== 3. LeakSanitizer, $LSAN_CYCLES cycles each"
swift build --sanitize=address --scratch-path .build-asan --product ListenerSoak >&2
ABIN=$(swift build --sanitize=address --scratch-path .build-asan --show-bin-path)
export ASAN_OPTIONS=detect_leaks=1
server_run "$ABIN/ListenerSoak" "$LSAN_CYCLES" "$LSAN_CYCLES" 2>&1 | tail -3
"$ABIN/ListenerSoak" clients "$LSAN_CYCLES" "$LSAN_CYCLES" 2>&1 | tail -3
echo "LeakSanitizer: no leaks (a leak would have failed the run above)"
