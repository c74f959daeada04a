// Net's side of the address benchmarks. Each scenario prints one line:
//   scenario=<name> impl=net ops_per_s=<n> iterations=<n> checksum=<n>
// node/address-bench.js does the same work and prints the same lines with impl=node.
//
// Environment: BENCH_SECONDS (measuring time per scenario, default 0.5), BENCH_FILTER (run only scenarios
// whose name contains it).

import Net

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hides a value from the optimizer, so that constant inputs are not folded away.
@inline(never) func opaque<T>(_ value: T) -> T { value }

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

let budget = env("BENCH_SECONDS").flatMap(Double.init) ?? 0.5
let filter = env("BENCH_FILTER")

/// Runs `body(batch)` (which does `batch` operations and returns a checksum) in batches calibrated to about
/// 10 ms, after a warm-up, until `budget` seconds were measured; prints the scenario line.
func measure(_ scenario: String, _ body: (Int) -> Int) {
    if let filter, !scenario.contains(filter) { return }
    var batch = 1
    var checksum = 0
    while true {  // warm-up and calibration
        let t0 = now()
        checksum &+= body(batch)
        if now() - t0 > 0.01 || batch >= 1 << 30 { break }
        batch *= 2
    }
    checksum = 0
    var iterations = 0
    var elapsed = 0.0
    while elapsed < budget {
        let t0 = now()
        checksum &+= body(batch)
        elapsed += now() - t0
        iterations += batch
    }
    let rate = Double(iterations) / elapsed
    print("scenario=\(scenario) impl=net ops_per_s=\(Int(rate)) iterations=\(iterations) checksum=\(checksum)")
}

// MARK: isIPv4 / isIPv6: Node's benchmark/net/net-is-ip-v4.js and net-is-ip-v6.js (one op = three calls)

/// Node's loop: `n` iterations of three calls. Not inlined into `measure`, so that the optimizer compiles
/// each loop on its own (it would otherwise merge the two measure specialisations and call through a pointer).
@inline(never) func isIPv4Loop(_ n: Int, _ inputs: [String]) -> Int {
    var count = 0
    let a = inputs[0], b = inputs[1], c = inputs[2]
    for _ in 0..<n {
        if isIPv4(a) { count &+= 1 }
        if isIPv4(b) { count &+= 1 }
        if isIPv4(c) { count &+= 1 }
    }
    return count
}

@inline(never) func isIPv6Loop(_ n: Int, _ inputs: [String]) -> Int {
    var count = 0
    let a = inputs[0], b = inputs[1], c = inputs[2]
    for _ in 0..<n {
        if isIPv6(a) { count &+= 1 }
        if isIPv6(b) { count &+= 1 }
        if isIPv6(c) { count &+= 1 }
    }
    return count
}

let v4Inputs = opaque(["0.0.0.0", "255.255.255.255", "0.0.0.0.0"])
measure("isipv4") { n in isIPv4Loop(n, v4Inputs) }

let v6Inputs = opaque(["::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "0.0.0.0"])
measure("isipv6") { n in isIPv6Loop(n, v6Inputs) }

// MARK: BlockList.check

/// The rule sets and check addresses, made exactly as node/address-bench.js makes them.
struct RuleSet {
    var state: UInt32 = 12345
    mutating func next() -> UInt32 {
        state = state &* 1_664_525 &+ 1_013_904_223
        return state
    }

    static func v4(_ x: UInt32) -> String { "\(x >> 24).\(x >> 16 & 255).\(x >> 8 & 255).\(x & 255)" }

    /// Fills `list` with `count` rules of `kind` and returns, for every 16th part of them, an address that
    /// the rule blocks, with its family.
    mutating func build(_ list: BlockList, kind: String, count: Int) throws -> [(String, String)] {
        var hits: [(String, String)] = []
        let every = max(1, count / 16)
        for i in 0..<count {
            let sort = kind == "address" ? 0 : kind == "subnet" ? 2 : i % 4
            var hit: (String, String)
            switch sort {
            case 0:
                let x = 0x0A00_0000 | next() & 0x00FF_FFFF
                try list.addAddress(Self.v4(x))
                hit = (Self.v4(x), "ipv4")
            case 1:
                let x = 0x0A00_0000 | next() & 0x00FF_FFF0
                try list.addRange(Self.v4(x), Self.v4(x + 15))
                hit = (Self.v4(x + 7), "ipv4")
            case 2:
                let x = 0x0A00_0000 | next() & 0x00FF_FF00
                try list.addSubnet(Self.v4(x), prefix: 24)
                hit = (Self.v4(x + 77), "ipv4")
            default:
                let net = "2001:db8:\(String(next() & 0xFFFF, radix: 16)):\(String(next() & 0xFFFF, radix: 16))"
                try list.addSubnet(net + "::", prefix: 64, type: "ipv6")
                hit = (net + "::1234", "ipv6")
            }
            if i % every == 0 && hits.count < 16 { hits.append(hit) }
        }
        return hits
    }
}

for kind in ["address", "subnet", "mixed"] {
    for count in [10, 100, 1_000, 10_000] {
        let list = BlockList()
        var rules = RuleSet()
        let hits = try rules.build(list, kind: kind, count: count)
        let misses: [(String, String)] = (0..<16).map { k in
            kind == "mixed" && k % 2 == 1 ? ("2001:db9::\(k)", "ipv6") : ("192.0.2.\(k)", "ipv4")
        }
        for (outcome, checks) in [("hit", hits), ("miss", misses)] {
            let inputs = opaque(checks)
            // One op = one check; the 16 addresses are taken in turn.
            measure("blocklist-\(kind)-\(count)-\(outcome)") { n in
                var blocked = 0
                for i in 0..<n {
                    let (address, family) = inputs[(i & 15) % inputs.count]
                    if list.check(address, type: family) { blocked &+= 1 }
                }
                if blocked != (outcome == "hit" ? n : 0) {
                    fatalError("blocklist-\(kind)-\(count)-\(outcome): \(blocked) of \(n) blocked")
                }
                return blocked
            }
        }
    }
}
