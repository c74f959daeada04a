#!/usr/bin/env bash
# What NetFoundation adds to a program: builds the same small server twice in release mode, once importing
# Net alone and once with NetFoundation (writing a Data), in a throwaway package depending on this one, and
# prints the stripped sizes, with the Swift runtime linked dynamically (the default) and statically
# (--static-swift-stdlib, which also links Foundation into the executable), and the Foundation libraries
# each one loads. Takes a few minutes: `bash scripts/netfoundation-size.sh`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/netfoundation-size.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/Sources/HelloNet" "$work/Sources/HelloNetFoundation"
cat > "$work/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "netsize",
    dependencies: [.package(name: "net", path: "$root")],
    targets: [
        .executableTarget(name: "HelloNet", dependencies: [.product(name: "Net", package: "net")]),
        .executableTarget(name: "HelloNetFoundation", dependencies: [
            .product(name: "Net", package: "net"), .product(name: "NetFoundation", package: "net")]),
    ]
)
SWIFT
cat > "$work/Sources/HelloNet/main.swift" <<'SWIFT'
import Net
let server = Net.createServer { c in c.write(Buffer([104, 105, 10])); c.end() }
try server.listen(port: 0) { server.close() }
EventLoop.current.run()
SWIFT
cat > "$work/Sources/HelloNetFoundation/main.swift" <<'SWIFT'
import FoundationEssentials
import Net
import NetFoundation
let server = Net.createServer { c in c.write(Data([104, 105, 10])); c.end() }
try server.listen(port: 0) { server.close() }
EventLoop.current.run()
SWIFT
for mode in dynamic static; do
  flags=(); [ $mode = static ] && flags=(--static-swift-stdlib)
  swift build -c release --package-path "$work" --scratch-path "$work/.build-$mode" ${flags[@]+"${flags[@]}"} >"$work/$mode.log" 2>&1 \
    || { cat "$work/$mode.log"; exit 1; }
  for program in HelloNet HelloNetFoundation; do
    binary="$work/.build-$mode/release/$program"
    strip -o "$work/$program.stripped" "$binary"
    libs=$(ldd "$binary" | grep -oE 'lib(_)?Foundation[A-Za-z]*\.so' | sort -u | tr '\n' ' ' || true)
    printf '%-8s %-19s %10d bytes stripped   loads: %s\n' "$mode" "$program" \
      "$(stat -c %s "$work/$program.stripped")" "${libs:-no Foundation}"
  done
done
