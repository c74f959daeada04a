// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Net",
    products: [
        .library(name: "Net", targets: ["Net"]),
        // `Data` in and out (`write(Data)`, `Buffer(Data)`, `Data(buffer)`): a product of its own, so that a
        // program importing only `Net` links no Foundation.
        .library(name: "NetFoundation", targets: ["NetFoundation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        // libuv as Debian ships it (libuv1-dev); `make deps` installs it.
        .systemLibrary(
            name: "CLibUV",
            path: "Modules/CLibUV",
            pkgConfig: "libuv",
            providers: [.apt(["libuv1-dev"])]
        ),
        .target(
            name: "Net",
            dependencies: [
                "CLibUV",
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            linkerSettings: [.linkedLibrary("m")]
        ),
        .target(name: "NetFoundation", dependencies: ["Net"]),
        .executableTarget(name: "NetDemo", dependencies: ["Net"]),
        // A netcat on top of Net (stdio wrapped as Sockets from descriptors 0 and 1): `swift run nc -h`.
        .executableTarget(name: "nc", dependencies: ["Net"], path: "Examples/nc"),
        // Async examples: an echo server and a line-based chat (an actor on the loop).
        .executableTarget(name: "async-echo", dependencies: ["Net"], path: "Examples/async-echo"),
        .executableTarget(name: "async-chat", dependencies: ["Net"], path: "Examples/async-chat"),
        // Shared by both test targets: the Node oracle runner, loop-on-a-thread helpers, vector loading.
        .target(name: "NetTestSupport", dependencies: ["Net"], path: "Tests/NetTestSupport"),
        // Scenarios that need a process of their own (exit status, what keeps a process alive).
        .executableTarget(name: "net-fixture", dependencies: ["Net"], path: "Tests/Fixtures"),
        .testTarget(name: "NetTests", dependencies: ["Net", "CLibUV", "NetTestSupport", "net-fixture", "NetDemo", "nc", "async-echo", "async-chat"]),
        .testTarget(name: "NetFoundationTests", dependencies: ["Net", "NetFoundation", "NetTestSupport"]),
        .testTarget(name: "NetConformanceTests", dependencies: ["Net", "NetTestSupport", "net-fixture"]),
    ],
    swiftLanguageModes: [.v6]
)
