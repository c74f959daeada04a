// The socket scenarios over Net, written as a Net user would write them (Node's benchmark scripts ported
// line by line: ../../node/net-bench.js is the same program over Node's `net`).
//
//   NetBench <scenario>     one scenario in this process (both ends on loopback), one output line
//   NetBench server-echo    an echo server on 127.0.0.1:<random>; prints "port=<n>", serves until killed
//                           (NET_LOOPS=<n>, NET_STRATEGY=rr|reuseport: on n loops, one GroupServer)
//
// Scenarios: {c2s,s2c,pipe}-{buf,asc,utf}-<len>, s2c-onread-buf-<len>, c2s-cork-buf-<len>, pingpong-<n>,
// connrate-<n>; see net-bench.js for what each does and measures.
import Net

#if canImport(Glibc)
import Glibc
#endif

/// A line to standard error, and exit.
func fail(_ message: String) -> Never {
    var line = message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(1)
}

// `counted` is read and written only on the loop's thread (the main thread).
let arguments = CommandLine.arguments
if arguments.count != 2 { fail("usage: NetBench <scenario>|server-echo") }
let scenario = arguments[1]
let seconds: Double = getenv("BENCH_SECONDS").flatMap { Double(String(cString: $0)) }.flatMap { $0 > 0 ? $0 : nil } ?? 1
let warmup = max(seconds / 5, 0.05)
let gbit = 8.0 / (1024 * 1024 * 1024)
/// NET_GATHER_WRITES=1: every socket opts in to write gathering (`Socket.gatherWrites`, not Node's
/// behaviour); the results are reported as implementation `net-gather`, next to `net` with the defaults.
let gatherWrites = getenv("NET_GATHER_WRITES").map { String(cString: $0) == "1" } ?? false
/// NET_ASYNC=1: the scenarios written with the async API (`for try await chunk in socket`,
/// `writeAsync`, tasks on the loop), reported as implementation `net-async`; only pingpong, c2s and the
/// echo server have an async version.
let asyncAPI = getenv("NET_ASYNC").map { String(cString: $0) == "1" } ?? false
let implName = gatherWrites ? "net-gather" : asyncAPI ? "net-async" : "net"

/// What the scenario counts, shared by its listeners (all on the one loop thread). The harness's own
/// counting is not what is measured: no dynamic exclusivity check on it (76 instructions per count).
final class Counter {
    @exclusivity(unchecked) var value = 0
}
nonisolated(unsafe) let counted = Counter()

func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Drops the counts of the warm-up, then measures for `seconds` and exits with the line.
func startClock(scale: Double, unit: String) {
    _ = setTimeout(Int(warmup * 1000)) {
        let base = counted.value
        let start = now()
        _ = setTimeout(Int(seconds * 1000)) {
            let secs = Double(now() - start) / 1e9
            let value = Double(counted.value - base) * scale / secs
            print("scenario=\(scenario) impl=\(implName) ops_per_s=\(value) unit=\(unit)")
            fflush(nil)
            exit(0)
        }
    }
}

func listen(_ onConnection: @escaping (Socket) -> Void, then: @escaping (Int) -> Void) {
    let server = createServer(Server.Options(gatherWrites: gatherWrites), onConnection)
    do {
        try server.listen(port: 0, host: "127.0.0.1") { then(server.address()!.port!) }
    } catch {
        fail("listen: \(error)")
    }
}

func connect(_ options: ConnectOptions, _ onConnect: @escaping (Socket) -> Void) {
    var options = options
    options.gatherWrites = gatherWrites
    do {
        var socket: Socket?
        socket = try createConnection(options) { onConnect(socket!) }
    } catch {
        fail("connect: \(error)")
    }
}

/// One chunk to write: bytes, or a string with its encoding (Node's `write(string, encoding)`).
enum Payload {
    case bytes(Buffer)
    case text(String, Encoding)

    init(type: String, length: Int) {
        switch type {
        case "buf": self = .bytes(Buffer(repeating: UInt8(ascii: "x"), count: length))
        case "asc": self = .text(String(repeating: "x", count: length), .ascii)
        default: self = .text(String(repeating: "ü", count: length / 2), .utf8)
        }
    }

    func write(to socket: Socket) -> Bool {
        switch self {
        case .bytes(let buffer): socket.write(buffer)
        case .text(let string, let encoding): socket.write(string, encoding: encoding)
        }
    }
}

/// Node's flow(): write; when the stream says false wait for 'drain', else go on in the next tick.
func flow(_ socket: Socket, _ payload: Payload) {
    // One closure for the whole run. A local function passed as an escaping closure gets a new context
    // each time (an allocation per 64-byte write); the C and NIO programs allocate nothing per write.
    // The closure holds its holder, so both live as long as the process: the run ends with exit().
    final class Step { var run: () -> Void = {} }
    let step = Step()
    step.run = {
        if payload.write(to: socket) {
            EventLoop.current.nextTick(step.run)
        } else {
            socket.once(.drain, step.run)
        }
    }
    step.run()
}

func count(_ socket: Socket) {
    socket.on(.data) { chunk in counted.value += chunk.count }
}

func throughput(_ direction: String, _ type: String, _ length: Int, onread: Bool) {
    let payload = Payload(type: type, length: length)
    let scale = gbit * (direction == "pipe" ? 2 : 1)
    listen({ socket in
        socket.on(.error) { _ in }
        switch direction {
        case "c2s": count(socket)
        case "s2c": flow(socket, payload)
        default: _ = socket.pipe(socket)
        }
    }, then: { port in
        var options = ConnectOptions(port: port, host: "127.0.0.1")
        if onread {
            let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
            options.onread = OnRead(buffer: .buffer(memory)) { n, _ in
                counted.value += n
                return true
            }
        }
        connect(options) { socket in
            startClock(scale: scale, unit: "Gbit/s")
            switch direction {
            case "c2s": flow(socket, payload)
            case "s2c": if !onread { count(socket) }
            default:
                count(socket)
                flow(socket, payload)
            }
        }
    })
}

func cork(_ length: Int) {
    let chunk = Buffer(repeating: UInt8(ascii: "x"), count: length)
    listen({ socket in count(socket) }, then: { port in
        connect(ConnectOptions(port: port, host: "127.0.0.1")) { socket in
            startClock(scale: gbit, unit: "Gbit/s")
            func send() {
                socket.cork()
                while socket.write(chunk) {}
                socket.uncork()
            }
            socket.on(.drain, send)
            send()
        }
    })
}

/// NET_BUSY_NS=<n>: the echo server spins for n ns of CPU per 'data' event before echoing, standing in for
/// an application's work, so that the server, not the load generator, is what runs out of CPU (an
/// experiment for the all-cores notes; 0, the default, is the plain echo).
let busyNanoseconds = getenv("NET_BUSY_NS").flatMap { UInt64(String(cString: $0)) } ?? 0

func echo(_ socket: Socket) {
    socket.setNoDelay(true)
    socket.on(.error) { _ in }
    if busyNanoseconds > 0 {
        socket.on(.data) { chunk in
            let end = now() + busyNanoseconds
            while now() < end {}
            socket.write(chunk)
        }
    } else {
        socket.on(.data) { socket.write($0) }
    }
}

func pingpong(_ connections: Int) {
    let message = Buffer(repeating: UInt8(ascii: "x"), count: 64)
    listen(echo, then: { port in
        var connected = 0
        for _ in 0..<connections {
            connect(ConnectOptions(port: port, host: "127.0.0.1")) { socket in
                socket.setNoDelay(true)
                // A Counter, not a captured `var`: a var an escaping closure captures is boxed and
                // checked for exclusive access on every use (60 instructions per write, 3% of Net's).
                let got = Counter()
                socket.on(.data) { chunk in
                    got.value += chunk.count
                    while got.value >= 64 {
                        got.value -= 64
                        counted.value += 1
                        socket.write(message)
                    }
                }
                socket.write(message)
                connected += 1
                if connected == connections { startClock(scale: 1, unit: "rt/s") }
            }
        }
    })
}

func connrate(_ inFlight: Int) {
    listen({ socket in
        socket.on(.error) { _ in }
        socket.destroy()
    }, then: { port in
        // Connect, destroy once connected; each 'close' counts one and starts the next.
        func startOne() {
            do {
                let socket = try createConnection(port: port, host: "127.0.0.1")
                socket.once(.connect) { socket.destroy() }
                socket.on(.error) { _ in }
                socket.on(.close) { _ in
                    counted.value += 1
                    startOne()
                }
            } catch {
                fail("connect: \(error)")
            }
        }
        startClock(scale: 1, unit: "conn/s")
        for _ in 0..<inFlight { startOne() }
    })
}

/// `prefix-<n>` → n.
func number(after prefix: String) -> Int? {
    guard scenario.hasPrefix(prefix) else { return nil }
    return Int(scenario.dropFirst(prefix.count))
}

// MARK: The async versions (NET_ASYNC=1)

/// An echo server written with the async API: one task per connection, on the loop.
func asyncEchoServer(then: @escaping @Sendable (Int) -> Void) {
    Task(executorPreference: EventLoop.current) {
        let server = createServer(Server.Options(gatherWrites: gatherWrites))
        do {
            try await server.listenAsync(port: 0, host: "127.0.0.1")
            then(server.address()!.port!)
            try await server.handleConnections { socket in
                socket.setNoDelay(true)
                for try await chunk in socket { try await socket.writeAsync(chunk) }
            }
        } catch {
            fail("async echo: \(error)")
        }
    }
}

/// pingpong-<n> with both ends async: each client is a task that writes 64 bytes and reads the echo.
func asyncPingpong(_ connections: Int) {
    let loop = EventLoop.current
    asyncEchoServer { port in
        let connected = LoopBound(Counter(), loop: loop)
        for _ in 0..<connections {
            Task(executorPreference: loop) {
                let message = Buffer(repeating: UInt8(ascii: "x"), count: 64)
                do {
                    let socket = try await connectAsync(ConnectOptions(port: port, host: "127.0.0.1"))
                    socket.setNoDelay(true)
                    connected.value.value += 1
                    if connected.value.value == connections { startClock(scale: 1, unit: "rt/s") }
                    try await socket.writeAsync(message)
                    var got = 0
                    for try await chunk in socket {
                        got += chunk.count
                        while got >= 64 {
                            got -= 64
                            counted.value += 1
                            try await socket.writeAsync(message)
                        }
                    }
                } catch {
                    fail("async pingpong: \(error)")
                }
            }
        }
    }
}

/// c2s-buf-<len> with both ends async: the client writes in a `writeAsync` loop, the server counts what
/// `for try await chunk in socket` yields.
func asyncC2S(_ length: Int) {
    let loop = EventLoop.current
    Task(executorPreference: loop) {
        let server = createServer(Server.Options(gatherWrites: gatherWrites))
        do {
            try await server.listenAsync(port: 0, host: "127.0.0.1")
            let port = server.address()!.port!
            let bound = LoopBound(server)
            Task(executorPreference: loop) {
                try await bound.value.handleConnections { socket in
                    for try await chunk in socket { counted.value += chunk.count }
                }
            }
            let socket = try await connectAsync(ConnectOptions(port: port, host: "127.0.0.1"))
            startClock(scale: gbit, unit: "Gbit/s")
            let payload = Buffer(repeating: UInt8(ascii: "x"), count: length)
            while true { try await socket.writeAsync(payload) }
        } catch {
            fail("async c2s: \(error)")
        }
    }
}

/// NET_LOOPS=<n> (with `server-echo`): the echo server runs on an `EventLoopGroup` of n loops as one
/// `GroupServer`, spreading connections by NET_STRATEGY (`rr`, round robin, the default; `reuseport`).
let groupLoops = getenv("NET_LOOPS").flatMap { Int(String(cString: $0)) } ?? 0
let groupStrategy: GroupServer.Strategy =
    getenv("NET_STRATEGY").map { String(cString: $0) } == "reuseport" ? .reusePort : .roundRobin

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
        exit(0)   // no async version: print nothing
    }
} else if scenario == "server-echo", groupLoops > 0 {
    let group = EventLoopGroup(numberOfThreads: groupLoops)
    let server = GroupServer(group: group, strategy: groupStrategy) { socket in echo(socket) }
    server.listen(port: 0, host: "127.0.0.1") { error in
        if let error { fail("listen: \(error)") }
        print("port=\(server.address()!.port!)")
        fflush(nil)
    }
    // The group's loops serve until the process is killed.
    while true { pause() }
} else if scenario == "server-echo" {
    listen(echo, then: { port in
        print("port=\(port)")
        fflush(nil)
    })
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
EventLoop.current.run()
