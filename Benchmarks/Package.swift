// swift-tools-version:6.0
import PackageDescription

// Benchmarks live in their own package so that Net's users never build or download them (SwiftNIO is only
// here, for the comparison; HdrHistogram only for the latency percentiles). `bash run.sh` (or `make bench` at
// the top) builds this with `-c release`.
let package = Package(
    name: "NetBenchmarks",
    dependencies: [
        .package(name: "Net", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        .executableTarget(
            name: "AddressBench",
            dependencies: [.product(name: "Net", package: "Net")],
            // LLVM's function merging would fold the per-scenario loops (which differ only in the function
            // they call) into one that calls through a pointer: not what user code compiles to.
            swiftSettings: [.unsafeFlags(["-Xfrontend", "-disable-llvm-merge-functions-pass"])]
        ),
        // The socket scenarios over Net (the implementation under test).
        .executableTarget(
            name: "NetBench",
            dependencies: [.product(name: "Net", package: "Net")]
        ),
        // The listener-lifetime soak (listener-soak.sh): self-capturing listeners over 1M connections.
        .executableTarget(
            name: "ListenerSoak",
            dependencies: [.product(name: "Net", package: "Net")]
        ),
        // The same scenarios over SwiftNIO (NIOPosix, one event loop thread, like libuv/Node/Net).
        .executableTarget(
            name: "NIOBench",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The p50/p99 of the echo scenarios: reads the round-trip times c/loadgen.c wrote to a file after its
        // measuring window and records them in an HdrHistogram, out of the load generator's process.
        .executableTarget(
            name: "LatencyStats",
            dependencies: [.product(name: "Histogram", package: "hdrhistogram-swift")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
