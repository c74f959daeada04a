// The socket scenarios over SwiftNIO (NIOPosix), written the way NIO programs are written: channel
// handlers, writes that follow the channel's writability (NIO's 'drain'), flush per batch. One event loop
// thread for both ends, so it is comparable with single-threaded libuv, Node and Net.
//
//   NIOBench <scenario>     one scenario in this process (both ends on loopback), one output line
//   NIOBench server-echo    an echo server on 127.0.0.1:<random>; prints "port=<n>", serves until killed
//                           (NIO_THREADS=<n>: on n event loop threads)
//
// Scenarios: {c2s,s2c,pipe}-{buf,asc,utf}-<len>, s2c-onread-buf-<len>, c2s-cork-buf-<len>, pingpong-<n>,
// connrate-<n>; see ../../node/net-bench.js for what each measures. Here asc/utf encode the string into a
// new ByteBuffer for every write (what Node and Net do with a string); onread reads into a fixed 64 KiB
// buffer allocator; cork writes without flushing until the channel is not writable, then flushes once.
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

func fail(_ message: String) -> Never {
    var line = message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(1)
}

let arguments = CommandLine.arguments
if arguments.count != 2 { fail("usage: NIOBench <scenario>|server-echo") }
let scenario = arguments[1]
let seconds: Double = getenv("BENCH_SECONDS").flatMap { Double(String(cString: $0)) }.flatMap { $0 > 0 ? $0 : nil } ?? 1
let warmup = max(seconds / 5, 0.05)
let gbit = 8.0 / (1024 * 1024 * 1024)

/// NIO_THREADS=<n> (with `server-echo`): n event loop threads; the server channel accepts on one and
/// spreads the accepted channels over all n (SwiftNIO's way of using several cores). Default 1.
let threads = getenv("NIO_THREADS").flatMap { Int(String(cString: $0)) }.flatMap { $0 > 0 ? $0 : nil } ?? 1
let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
let loop = group.next()

/// What the scenario counts; touched only on the one event loop thread. As in NetBench, the harness's
/// counting goes without dynamic exclusivity checks.
@exclusivity(unchecked) nonisolated(unsafe) var counted = 0
/// NIO_ASYNC=1: the scenarios written with `NIOAsyncChannel` (tasks on Swift's cooperative pool, as NIO's
/// async API is used), reported as implementation `nio-async`; only pingpong, c2s and the echo server.
let asyncAPI = getenv("NIO_ASYNC").map { String(cString: $0) == "1" } ?? false
let implName = asyncAPI ? "nio-async" : "nio"
/// What the async scenarios count, from the tasks of the cooperative pool.
let asyncCounted = Atomic<Int>(0)

/// Drops the counts of the warm-up, then measures for `seconds` and exits with the line.
func startClock(scale: Double, unit: String) {
    loop.scheduleTask(in: .nanoseconds(Int64(warmup * 1e9))) {
        let base = counted + asyncCounted.load(ordering: .relaxed)
        let start = NIODeadline.now()
        loop.scheduleTask(in: .nanoseconds(Int64(seconds * 1e9))) {
            let secs = Double((NIODeadline.now() - start).nanoseconds) / 1e9
            let value = Double(counted + asyncCounted.load(ordering: .relaxed) - base) * scale / secs
            print("scenario=\(scenario) impl=\(implName) ops_per_s=\(value) unit=\(unit)")
            fflush(nil)
            exit(0)
        }
    }
}

/// What one write sends: the same bytes each time, or a string encoded anew each time.
enum Payload: Sendable {
    case bytes(ByteBuffer)
    case text(String)

    init(type: String, length: Int) {
        switch type {
        case "buf": self = .bytes(ByteBuffer(repeating: UInt8(ascii: "x"), count: length))
        case "asc": self = .text(String(repeating: "x", count: length))
        default: self = .text(String(repeating: "ü", count: length / 2))
        }
    }

    func buffer(_ allocator: ByteBufferAllocator) -> ByteBuffer {
        switch self {
        case .bytes(let buffer): buffer
        case .text(let string): allocator.buffer(string: string)
        }
    }
}

/// Counts the bytes it reads.
final class CountHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        counted += unwrapInboundIn(data).readableBytes
    }
}

/// Node's flow(): writes and flushes the chunk while the channel is writable, again once it is.
final class SendHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let payload: Payload
    let cork: Bool
    let onActive: () -> Void
    init(_ payload: Payload, cork: Bool = false, onActive: @escaping () -> Void = {}) {
        self.payload = payload
        self.cork = cork
        self.onActive = onActive
    }

    func channelActive(context: ChannelHandlerContext) {
        onActive()
        pump(context)
        context.fireChannelActive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        pump(context)
        context.fireChannelWritabilityChanged()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    private func pump(_ context: ChannelHandlerContext) {
        let allocator = context.channel.allocator
        if cork {
            guard context.channel.isWritable else { return }
            while context.channel.isWritable { context.write(wrapOutboundOut(payload.buffer(allocator)), promise: nil) }
            context.flush()
            return
        }
        while context.channel.isWritable {
            context.writeAndFlush(wrapOutboundOut(payload.buffer(allocator)), promise: nil)
        }
    }
}

/// Writes back what it reads; flushes at the end of each read batch.
final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }
    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

/// One 64-byte message in flight: sends it when active and again for each complete reply.
final class PingPongHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let message = ByteBuffer(repeating: UInt8(ascii: "x"), count: 64)
    let onActive: () -> Void
    var got = 0
    init(onActive: @escaping () -> Void) { self.onActive = onActive }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(message), promise: nil)
        onActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        got += unwrapInboundIn(data).readableBytes
        var replies = 0
        while got >= 64 {
            got -= 64
            replies += 1
            counted += 1
            context.write(wrapOutboundOut(message), promise: nil)
        }
        if replies > 0 { context.flush() }
    }
}

/// Closes the connection as soon as it is active (connection-rate server side).
final class CloseHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    func channelActive(context: ChannelHandlerContext) {
        context.close(promise: nil)
    }
    func errorCaught(context: ChannelHandlerContext, error: Error) {}
}

func serve(noDelay: Bool = false, _ makeHandlers: @escaping @Sendable () -> [ChannelHandler]) -> Int {
    do {
        let channel = try ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 511)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: noDelay ? 1 : 0)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(makeHandlers())
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .wait()
        return channel.localAddress!.port!
    } catch {
        fail("listen: \(error)")
    }
}

func client(port: Int, noDelay: Bool = false, fixedRead: Bool = false,
            _ makeHandlers: @escaping @Sendable () -> [ChannelHandler]) -> EventLoopFuture<Channel> {
    var bootstrap = ClientBootstrap(group: group)
        .channelOption(.socketOption(.tcp_nodelay), value: noDelay ? 1 : 0)
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandlers(makeHandlers())
            }
        }
    if fixedRead {
        bootstrap = bootstrap.channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 64 * 1024))
    }
    return bootstrap.connect(host: "127.0.0.1", port: port)
}

func throughput(_ direction: String, _ type: String, _ length: Int, onread: Bool) {
    let payload = Payload(type: type, length: length)
    let scale = gbit * (direction == "pipe" ? 2 : 1)
    let port = serve {
        switch direction {
        case "c2s": [CountHandler()]
        case "s2c": [SendHandler(payload)]
        default: [BackPressureHandler(), EchoHandler()]
        }
    }
    let clockStart: @Sendable () -> Void = { startClock(scale: scale, unit: "Gbit/s") }
    _ = client(port: port, fixedRead: onread) {
        switch direction {
        case "c2s": [SendHandler(payload, onActive: clockStart)]
        case "s2c": [StartClockHandler(clockStart), CountHandler()]
        default: [SendHandler(payload, onActive: clockStart), CountHandler()]
        }
    }
}

/// Starts the clock when the channel becomes active.
final class StartClockHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let start: () -> Void
    init(_ start: @escaping () -> Void) { self.start = start }
    func channelActive(context: ChannelHandlerContext) {
        start()
        context.fireChannelActive()
    }
}

func cork(_ length: Int) {
    let payload = Payload(type: "buf", length: length)
    let port = serve { [CountHandler()] }
    _ = client(port: port) {
        [SendHandler(payload, cork: true, onActive: { startClock(scale: gbit, unit: "Gbit/s") })]
    }
}

nonisolated(unsafe) var connected = 0

func pingpong(_ connections: Int) {
    let port = serve(noDelay: true) { [EchoHandler()] }
    for _ in 0..<connections {
        _ = client(port: port, noDelay: true) {
            [PingPongHandler(onActive: {
                connected += 1
                if connected == connections { startClock(scale: 1, unit: "rt/s") }
            })]
        }
    }
}

func connrate(_ inFlight: Int) {
    let port = serve { [CloseHandler()] }
    @Sendable func startOne() {
        client(port: port) { [] }.whenComplete { result in
            switch result {
            case .success(let channel):
                channel.close(promise: nil)
                channel.closeFuture.whenComplete { _ in
                    counted += 1
                    startOne()
                }
            case .failure(let error):
                fail("connect: \(error)")
            }
        }
    }
    loop.execute {
        startClock(scale: 1, unit: "conn/s")
        for _ in 0..<inFlight { startOne() }
    }
}

func number(after prefix: String) -> Int? {
    guard scenario.hasPrefix(prefix) else { return nil }
    return Int(scenario.dropFirst(prefix.count))
}

// MARK: The async versions (NIO_ASYNC=1)

typealias AsyncBytes = NIOAsyncChannel<ByteBuffer, ByteBuffer>

/// An echo server over `NIOAsyncChannel`: a discarding task group, one child task per connection.
func asyncEchoServer(then: @escaping @Sendable (Int) -> Void) {
    Task.detached {
        do {
            let server = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 511)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: "127.0.0.1", port: 0) { channel in
                    channel.eventLoop.makeCompletedFuture { try AsyncBytes(wrappingChannelSynchronously: channel) }
                }
            then(server.channel.localAddress!.port!)
            try await withThrowingDiscardingTaskGroup { tasks in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        tasks.addTask {
                            try? await connection.executeThenClose { inbound, outbound in
                                for try await buffer in inbound { try await outbound.write(buffer) }
                            }
                        }
                    }
                }
            }
        } catch {
            fail("async echo: \(error)")
        }
    }
}

func asyncConnect(_ port: Int) async throws -> AsyncBytes {
    try await ClientBootstrap(group: group)
        .channelOption(.socketOption(.tcp_nodelay), value: 1)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try AsyncBytes(wrappingChannelSynchronously: channel) }
        }
}

/// pingpong-<n> with both ends over `NIOAsyncChannel`.
let connectedCount = Atomic<Int>(0)

func asyncPingpong(_ connections: Int) {
    asyncEchoServer { port in
        for _ in 0..<connections {
            Task.detached {
                let message = ByteBuffer(repeating: UInt8(ascii: "x"), count: 64)
                do {
                    let channel = try await asyncConnect(port)
                    try await channel.executeThenClose { inbound, outbound in
                        if connectedCount.add(1, ordering: .relaxed).newValue == connections {
                            loop.execute { startClock(scale: 1, unit: "rt/s") }
                        }
                        try await outbound.write(message)
                        var got = 0
                        for try await buffer in inbound {
                            got += buffer.readableBytes
                            while got >= 64 {
                                got -= 64
                                asyncCounted.add(1, ordering: .relaxed)
                                try await outbound.write(message)
                            }
                        }
                    }
                } catch {
                    fail("async pingpong: \(error)")
                }
            }
        }
    }
}

/// c2s-buf-<len> over `NIOAsyncChannel`: the client writes in a loop, the server counts its inbound.
func asyncC2S(_ length: Int) {
    Task.detached {
        do {
            let server = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: "127.0.0.1", port: 0) { channel in
                    channel.eventLoop.makeCompletedFuture { try AsyncBytes(wrappingChannelSynchronously: channel) }
                }
            let port = server.channel.localAddress!.port!
            Task.detached {
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        try await connection.executeThenClose { inbound, _ in
                            for try await buffer in inbound { asyncCounted.add(buffer.readableBytes, ordering: .relaxed) }
                        }
                    }
                }
            }
            let channel = try await asyncConnect(port)
            loop.execute { startClock(scale: gbit, unit: "Gbit/s") }
            let payload = ByteBuffer(repeating: UInt8(ascii: "x"), count: length)
            try await channel.executeThenClose { _, outbound in
                while true { try await outbound.write(payload) }
            }
        } catch {
            fail("async c2s: \(error)")
        }
    }
}

let parts = scenario.split(separator: "-").map(String.init)
if asyncAPI {
    if scenario == "server-echo" {
        asyncEchoServer { port in
            print("port=\(port)")
            fflush(nil)
        }
    } else if let n = number(after: "pingpong-") {
        asyncPingpong(n)
    } else if let n = number(after: "c2s-buf-") {
        asyncC2S(n)
    } else {
        exit(0)
    }
} else if scenario == "server-echo" {
    let port = serve(noDelay: true) { [BackPressureHandler(), EchoHandler()] }
    print("port=\(port)")
    fflush(nil)
} else if let n = number(after: "pingpong-") {
    pingpong(n)
} else if let n = number(after: "connrate-") {
    connrate(n)
} else if let n = number(after: "s2c-onread-buf-") {
    throughput("s2c", "buf", n, onread: true)
} else if let n = number(after: "c2s-cork-buf-") {
    cork(n)
} else if parts.count == 3, ["c2s", "s2c", "pipe"].contains(parts[0]), ["buf", "asc", "utf"].contains(parts[1]),
          let n = Int(parts[2]) {
    throughput(parts[0], parts[1], n, onread: false)
} else {
    exit(0)   // not a scenario of this implementation: print nothing
}
// The event loop thread does the work and exits the process; this thread only waits.
while true { pause() }
