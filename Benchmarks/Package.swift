// swift-tools-version:6.0
import PackageDescription

// Benchmarks live in their own package so that Net's users never build or download them.
// `bash run.sh` (or `make bench` at the top) builds this with `-c release` and compares with Node.
let package = Package(
    name: "NetBenchmarks",
    dependencies: [
        .package(name: "Net", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "AddressBench",
            dependencies: [.product(name: "Net", package: "Net")],
            // LLVM's function merging would fold the per-scenario loops (which differ only in the function
            // they call) into one that calls through a pointer: not what user code compiles to.
            swiftSettings: [.unsafeFlags(["-Xfrontend", "-disable-llvm-merge-functions-pass"])]
        ),
    ],
    swiftLanguageModes: [.v6]
)
