#!/usr/bin/env bash
# Builds the libFuzzer target over the address sources (Fuzz/AddressFuzz.swift + Sources/Net/Address, plus
# NetError, which needs libuv's headers) with AddressSanitizer, and runs it for FUZZ_SECONDS (default 60).
# New corpus entries go to Fuzz/corpus-run (seeded from Fuzz/corpus), crashes to Fuzz/out/.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
mkdir -p Fuzz/out Fuzz/corpus-run

echo "== building Fuzz/out/address-fuzz (-sanitize=fuzzer,address)"
swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
  -module-name AddressFuzz \
  -I Modules/CLibUV -luv \
  Sources/Net/Address/*.swift Sources/Net/Errors/NetError.swift Fuzz/AddressFuzz.swift \
  -o Fuzz/out/address-fuzz 2>&1 | { grep -v "Cannot export local symbol '__asan" || true; }

echo "== fuzzing for ${FUZZ_SECONDS}s"
Fuzz/out/address-fuzz \
  -max_total_time="$FUZZ_SECONDS" \
  -print_final_stats=1 \
  -max_len=512 \
  -artifact_prefix=Fuzz/out/ \
  Fuzz/corpus-run Fuzz/corpus >Fuzz/out/last-run.log 2>&1 || status=$?
status=${status:-0}
if [ "$status" -ne 0 ]; then
  tail -40 Fuzz/out/last-run.log >&2
  echo "fuzzing failed (exit $status): see Fuzz/out/last-run.log and the crash-* file in Fuzz/out/" >&2
  exit "$status"
fi
grep -E '^(INFO: (Seed|Loaded)|stat::)' Fuzz/out/last-run.log || true
grep -m1 -E '^Done [0-9]+ runs' Fuzz/out/last-run.log || true
