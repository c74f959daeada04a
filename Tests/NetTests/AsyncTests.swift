import Foundation
import Net
import NetTestSupport
import Testing

/// An actor whose executor is a loop: its methods run on the loop's thread and use sockets directly.
actor LoopActor {
    let loop: EventLoop
    nonisolated var unownedExecutor: UnownedSerialExecutor { loop.asUnownedSerialExecutor() }
    var server: Server?

    init(loop: EventLoop) { self.loop = loop }

    func onLoop() -> Bool { loop.inEventLoop }

    /// Listens with a callback-style greeting server held by the actor.
    func listen() async throws -> Int {
        let server = Net.createServer { socket in socket.end("hi from the actor\n") }
        try await server.listenAsync(port: 0, host: "127.0.0.1")
        self.server = server
        return server.address()?.port ?? 0
    }

    /// Connects and reads everything.
    func fetch(port: Int) async throws -> String {
        let socket = try await Net.connectAsync(port: port, host: "127.0.0.1")
        var text = ""
        for try await chunk in socket { text += chunk.toString() }
        return text
    }

    func close() async throws { try await server?.closeAsync() }
}

/// What a thrown error was, for comparing outside the loop.
struct Thrown: Sendable, Equatable {
    var code: String?
    var message: String
    init(_ error: any Error) {
        if let error = error as? NetError {
            code = error.code
            message = error.message
        } else {
            message = "\(error)"
        }
    }
}

@Suite(.timeLimit(.minutes(2))) struct AsyncTests {
    // MARK: The loop as an executor

    @Test func taskPreferringTheLoopRunsOnItsThread() async throws {
        let thread = EventLoopThread()
        let loop = thread.loop
        #expect(await Task(executorPreference: loop) { loop.inEventLoop }.value)
        #expect(await withTaskExecutorPreference(loop) { loop.inEventLoop })
        // Child tasks inherit the preference.
        let child = await Task(executorPreference: loop) { () async -> Bool in
            async let inner = loop.inEventLoop
            return await inner
        }.value
        #expect(child)
        await thread.shutdownGracefully()
    }

    @Test func actorOnTheLoopUsesSocketsDirectly() async throws {
        let thread = EventLoopThread()
        let actor = LoopActor(loop: thread.loop)
        #expect(await actor.onLoop())
        let port = try await actor.listen()
        #expect(try await actor.fetch(port: port) == "hi from the actor\n")
        try await actor.close()
        await thread.shutdownGracefully()
    }

    @Test func runReturnsTheBodysResultAndEndsTheThread() async throws {
        let value = try await EventLoop.run { loop in loop.inEventLoop ? 42 : 0 }
        #expect(value == 42)
    }

    @Test func gracefulShutdownClosesServersAndEndsSockets() async throws {
        let thread = EventLoopThread()
        let loop = thread.loop
        let trace = Trace()
        let port = try await Task(executorPreference: loop) { () async throws -> Int in
            let server = Net.createServer { socket in
                socket.on(.end) { trace.log("server socket end") }
                socket.on(.close) { _ in trace.log("server socket close") }
            }
            server.on(.close) { trace.log("server close") }
            try await server.listenAsync(port: 0, host: "127.0.0.1")
            let port = server.address()?.port ?? 0
            let client = try await Net.connectAsync(port: port, host: "127.0.0.1")
            client.on(.end) { trace.log("client end") }
            client.on(.close) { _ in trace.log("client close") }
            return port
        }.value
        #expect(port > 0)
        await thread.shutdownGracefully(timeout: 5_000)
        // Servers closed, sockets ended on both sides (not destroyed): each saw the other's FIN.
        let lines = Set(trace.lines)
        #expect(lines == ["server socket end", "server socket close", "client end", "client close", "server close"])
        // Idempotent, and the loop refuses work once its thread has ended.
        await thread.shutdownGracefully()
        #expect(!loop.execute {})
    }

    // MARK: Connect, listen, write, read, end, close

    @Test func echoThroughTheAsyncAPI() async throws {
        let received = try await EventLoop.run { _ in
            let server = Net.createServer()
            try await server.listenAsync(port: 0, host: "127.0.0.1")
            let port = server.address()?.port ?? 0
            let bound = LoopBound(server)
            async let serving: Void = bound.value.handleConnections { socket in
                for try await chunk in socket { try await socket.writeAsync(chunk) }
            }
            let socket = try await Net.connectAsync(port: port, host: "127.0.0.1")
            try await socket.writeAsync("hello, ")
            try await socket.writeAsync(Buffer("async world"))
            try await socket.endAsync()
            var text = ""
            for try await chunk in socket { text += chunk.toString() }
            try await bound.value.closeAsync()
            try await serving
            return text
        }
        #expect(received == "hello, async world")
    }

    @Test func connectRefusedThrowsNodesError() async throws {
        let port = try await EventLoop.run { _ in Ports.recentlyFree() }
        let thrown = try await EventLoop.run { _ -> Thrown? in
            do {
                _ = try await Net.connectAsync(port: port, host: "127.0.0.1")
                return nil
            } catch {
                return Thrown(error)
            }
        }
        #expect(thrown == Thrown(NetError("connect ECONNREFUSED 127.0.0.1:\(port)", code: "ECONNREFUSED")))
    }

    @Test func lookupFailureThrowsENOTFOUND() async throws {
        let thrown = try await EventLoop.run { _ -> Thrown? in
            var options = ConnectOptions(port: 80, host: "nowhere.invalid")
            options.lookup = Lookups.errorMock()
            do {
                _ = try await Net.connectAsync(options)
                return nil
            } catch {
                return Thrown(error)
            }
        }
        #expect(thrown == Thrown(NetError("getaddrinfo ENOTFOUND nowhere.invalid", code: "ENOTFOUND")))
    }

    @Test func listenOnAPortInUseThrowsEADDRINUSE() async throws {
        let (port, thrown) = try await EventLoop.run { _ -> (Int, Thrown?) in
            let first = Net.createServer()
            try await first.listenAsync(port: 0, host: "127.0.0.1")
            let port = first.address()?.port ?? 0
            let second = Net.createServer()
            var thrown: Thrown?
            do { try await second.listenAsync(port: port, host: "127.0.0.1") } catch { thrown = Thrown(error) }
            try await first.closeAsync()
            return (port, thrown)
        }
        #expect(thrown == Thrown(NetError("listen EADDRINUSE: address already in use 127.0.0.1:\(port)", code: "EADDRINUSE")))
    }

    @Test func closeOfAServerNotListeningThrowsNotRunning() async throws {
        let thrown = try await EventLoop.run { _ -> Thrown? in
            do { try await Net.createServer().closeAsync() } catch { return Thrown(error) }
            return nil
        }
        #expect(thrown?.code == "ERR_SERVER_NOT_RUNNING")
        #expect(thrown?.message == "Server is not running.")
    }

    @Test func writeAfterEndAndAfterDestroyThrow() async throws {
        let thrown = try await EventLoop.run { _ -> [Thrown] in
            let server = Net.createServer { $0.resume() }
            try await server.listenAsync(port: 0, host: "127.0.0.1")
            let socket = try await Net.connectAsync(port: server.address()?.port ?? 0, host: "127.0.0.1")
            var thrown: [Thrown] = []
            try await socket.endAsync()
            do { try await socket.writeAsync("late") } catch { thrown.append(Thrown(error)) }
            socket.destroy()
            do { try await socket.writeAsync("later") } catch { thrown.append(Thrown(error)) }
            server.close()
            return thrown
        }
        #expect(thrown.map(\.code) == ["ERR_STREAM_WRITE_AFTER_END", "ERR_STREAM_DESTROYED"])
    }

    @Test func writeWaitsForDrainWhenWriteReturnsFalse() async throws {
        let result = try await EventLoop.run { _ -> (waited: Bool, total: Int) in
            let total = 8 << 20
            var received = 0
            let server = Net.createServer { socket in
                socket.on(.data) { received += $0.count }
            }
            try await server.listenAsync(port: 0, host: "127.0.0.1")
            let socket = try await Net.connectAsync(port: server.address()?.port ?? 0, host: "127.0.0.1")
            var drains = 0
            socket.on(.drain) { drains += 1 }
            let block = Buffer([UInt8](repeating: 7, count: 1 << 20))
            for _ in 0..<8 {
                try await socket.writeAsync(block)
                // Never more than the high-water mark (plus the last write) is left queued.
                #expect(socket.writableLength <= socket.writableHighWaterMark + block.count)
            }
            try await socket.endAsync()
            try await server.closeAsync()
            return (drains > 0, received == total ? total : received)
        }
        #expect(result.waited)
        #expect(result.total == 8 << 20)
    }

    @Test func connectionsSequenceAndOnce() async throws {
        let greetings = try await EventLoop.run { loop -> [String] in
            let server = Net.createServer()
            try server.listen(port: 0, host: "127.0.0.1")
            try await Net.once(server, .listening)
            let port = server.address()?.port ?? 0
            var connections = server.incomingConnections().makeAsyncIterator()
            var greetings: [String] = []
            for index in 0..<3 {
                let client = try await Net.connectAsync(port: port, host: "127.0.0.1")
                guard let accepted = try await connections.next() else { break }
                // Paused while it waited for us: nothing read yet flows until we iterate.
                #expect(accepted.isPaused() || accepted.readableFlowing == nil)
                try await client.writeAsync("client \(index)")
                try await client.endAsync()
                var text = ""
                for try await chunk in accepted { text += chunk.toString() }
                greetings.append(text)
                client.resume()   // consume the client's side too, so that it ends and closes
            }
            server.close()
            #expect(try await connections.next() == nil)
            _ = loop
            return greetings
        }
        #expect(greetings == ["client 0", "client 1", "client 2"])
    }

    @Test func onceThrowsTheErrorEventAndHonoursTheSignal() async throws {
        let thrown = try await EventLoop.run { _ -> [Thrown] in
            var thrown: [Thrown] = []
            let server = Net.createServer()
            nextTick { server.emit(.error, NetError("boom", code: "EBOOM")) }
            do { try await Net.once(server, .listening) } catch { thrown.append(Thrown(error)) }
            let controller = AbortController()
            _ = setTimeout(5) { controller.abort() }
            do { try await Net.once(server, .listening, signal: controller.signal) } catch { thrown.append(Thrown(error)) }
            #expect(server.listenerCount(.listening) == 0)
            #expect(server.listenerCount(.error) == 0)
            return thrown
        }
        #expect(thrown == [Thrown(NetError("boom", code: "EBOOM")), Thrown(NetError.abortError)])
    }

    @Test func stylesMixOnOneSocket() async throws {
        let (seenByListener, seenByLoop) = try await EventLoop.run { _ -> (String, String) in
            let server = Net.createServer { socket in
                // Callback style on the server side: write, then end.
                socket.write("one,")
                socket.end("two")
            }
            try await server.listenAsync(port: 0, host: "127.0.0.1")
            let socket = try await Net.connectAsync(port: server.address()?.port ?? 0, host: "127.0.0.1")
            var byListener = ""
            socket.on(.data) { byListener += $0.toString() }
            var byLoop = ""
            for try await chunk in socket { byLoop += chunk.toString() }
            server.close()
            return (byListener, byLoop)
        }
        #expect(seenByListener == "one,two")
        #expect(seenByLoop == "one,two")
    }

    @Test func scopedServerAndConnectionCloseWhatTheyOpened() async throws {
        let (reply, closed) = try await EventLoop.run { _ -> (String, Bool) in
            var closed = false
            let reply = try await Net.withServer(port: 0, host: "127.0.0.1") { server in
                server.on(.connection) { $0.end("scoped\n") }
                server.on(.close) { closed = true }
                return try await Net.withConnection(port: server.address()?.port ?? 0, host: "127.0.0.1") { socket in
                    var text = ""
                    for try await chunk in socket { text += chunk.toString() }
                    return text
                }
            }
            return (reply, closed)
        }
        #expect(reply == "scoped\n")
        #expect(closed)
    }

    @Test func scopedServerClosesWhenTheBodyThrows() async throws {
        let listeningAfter = try await EventLoop.run { _ -> Bool in
            var kept: Server?
            struct Failed: Error {}
            do {
                _ = try await Net.withServer(port: 0, host: "127.0.0.1") { server in
                    kept = server
                    throw Failed()
                }
            } catch is Failed {}
            return kept?.listening ?? true
        }
        #expect(!listeningAfter)
    }

    // MARK: Cancellation

    @Test func cancellingAConnectDestroysTheSocketWithAbortError() async throws {
        let hole = try #require(BlackHole())
        let (thrown, destroyed) = try await EventLoop.run { loop -> (Thrown?, Bool) in
            let socket = try Net.createConnection(port: hole.port, host: hole.host)
            let bound = LoopBound(socket)
            let waiting = Task(executorPreference: loop) { () async -> Thrown? in
                do { try await bound.value.connected() } catch { return Thrown(error) }
                return nil
            }
            try await Task.sleep(for: .milliseconds(50))
            waiting.cancel()
            let thrown = await waiting.value
            return (thrown, socket.destroyed)
        }
        #expect(thrown == Thrown(NetError.abortError))
        #expect(thrown?.code == "ABORT_ERR")
        #expect(destroyed)
    }

    @Test func cancellingAReadDestroysTheSocketWithAbortError() async throws {
        let (thrown, destroyed) = try await EventLoop.run { loop -> (Thrown?, Bool) in
            let server = Net.createServer { _ in }   // never writes
            try await server.listenAsync(port: 0, host: "127.0.0.1")
            let socket = try await Net.connectAsync(port: server.address()?.port ?? 0, host: "127.0.0.1")
            let bound = LoopBound(socket)
            let reading = Task(executorPreference: loop) { () async -> Thrown? in
                do { for try await _ in bound.value {} } catch { return Thrown(error) }
                return nil
            }
            try await Task.sleep(for: .milliseconds(50))
            reading.cancel()
            let thrown = await reading.value
            server.close()
            return (thrown, socket.destroyed)
        }
        #expect(thrown == Thrown(NetError.abortError))
        #expect(destroyed)
    }

    @Test func cancellingAWriteDestroysTheSocketWithAbortError() async throws {
        let (thrown, destroyed) = try await EventLoop.run { loop -> (Thrown?, Bool) in
            let server = Net.createServer { $0.pause() }   // never reads: the write must wait
            try await server.listenAsync(port: 0, host: "127.0.0.1")
            let socket = try await Net.connectAsync(port: server.address()?.port ?? 0, host: "127.0.0.1")
            let bound = LoopBound(socket)
            let writing = Task(executorPreference: loop) { () async -> Thrown? in
                let block = Buffer([UInt8](repeating: 1, count: 1 << 20))
                do { while true { try await bound.value.writeAsync(block) } } catch { return Thrown(error) }
            }
            try await Task.sleep(for: .milliseconds(100))
            writing.cancel()
            let thrown = await writing.value
            server.close()
            return (thrown, socket.destroyed)
        }
        #expect(thrown == Thrown(NetError.abortError))
        #expect(destroyed)
    }

    @Test func cancellingAnAcceptOrAWaitForAnEventThrowsAbortError() async throws {
        let thrown = try await EventLoop.run { loop -> [Thrown?] in
            let server = Net.createServer()
            try await server.listenAsync(port: 0, host: "127.0.0.1")
            let bound = LoopBound(server)
            let accepting = Task(executorPreference: loop) { () async -> Thrown? in
                var connections = bound.value.incomingConnections().makeAsyncIterator()
                do { _ = try await connections.next() } catch { return Thrown(error) }
                return nil
            }
            let waiting = Task(executorPreference: loop) { () async -> Thrown? in
                do { try await Net.once(bound.value, .close) } catch { return Thrown(error) }
                return nil
            }
            try await Task.sleep(for: .milliseconds(20))
            accepting.cancel()
            waiting.cancel()
            let results = [await accepting.value, await waiting.value]
            #expect(server.listening)   // cancelling the waits leaves the server alone
            try await server.closeAsync()
            return results
        }
        #expect(thrown == [Thrown(NetError.abortError), Thrown(NetError.abortError)])
    }

    @Test func cancellingAnEndDestroysTheSocketWithAbortError() async throws {
        let (thrown, destroyed) = try await EventLoop.run { loop -> (Thrown?, Bool) in
            let server = Net.createServer { $0.pause() }   // never reads: the end cannot finish
            try await server.listenAsync(port: 0, host: "127.0.0.1")
            let socket = try await Net.connectAsync(port: server.address()?.port ?? 0, host: "127.0.0.1")
            socket.write(Buffer([UInt8](repeating: 2, count: 16 << 20)))
            let bound = LoopBound(socket)
            let ending = Task(executorPreference: loop) { () async -> Thrown? in
                do { try await bound.value.endAsync() } catch { return Thrown(error) }
                return nil
            }
            try await Task.sleep(for: .milliseconds(50))
            ending.cancel()
            let thrown = await ending.value
            server.close()
            return (thrown, socket.destroyed)
        }
        #expect(thrown == Thrown(NetError.abortError))
        #expect(destroyed)
    }

    @Test func cancellingACloseStopsTheWaitAndTheServerStillCloses() async throws {
        let (thrown, closed) = try await EventLoop.run { loop -> (Thrown?, Bool) in
            let server = Net.createServer { _ in }
            var closed = false
            server.on(.close) { closed = true }
            try await server.listenAsync(port: 0, host: "127.0.0.1")
            let client = try await Net.connectAsync(port: server.address()?.port ?? 0, host: "127.0.0.1")
            let bound = LoopBound(server)
            let closing = Task(executorPreference: loop) { () async -> Thrown? in
                do { try await bound.value.closeAsync() } catch { return Thrown(error) }
                return nil
            }
            try await Task.sleep(for: .milliseconds(50))   // the open connection keeps 'close' from coming
            closing.cancel()
            let thrown = await closing.value
            #expect(!server.listening)
            client.destroy()
            try await Net.once(server, .close)
            return (thrown, closed)
        }
        #expect(thrown == Thrown(NetError.abortError))
        #expect(closed)
    }

    /// A listen whose task is cancelled while it waits for 'listening' (here: cancelled before its first
    /// wait, so the wait meets the cancellation however fast the bind is) closes the server and throws
    /// AbortError, as aborting `options.signal` does in Node; 'listening' is never emitted.
    @Test func cancellingAListenClosesTheServerWithAbortError() async throws {
        let (thrown, listening, events) = try await EventLoop.run { loop -> (Thrown?, Bool, [String]) in
            let server = Net.createServer { _ in }
            var events: [String] = []
            server.on(.listening) { events.append("listening") }
            server.on(.close) { events.append("close") }
            let bound = LoopBound(server)
            let task = Task(executorPreference: loop) { () async -> Thrown? in
                withUnsafeCurrentTask { $0?.cancel() }
                do { try await bound.value.listenAsync(port: 0, host: "localhost") } catch { return Thrown(error) }
                return nil
            }
            let thrown = await task.value
            try await Task.sleep(for: .milliseconds(50))   // a late 'listening' would show here
            return (thrown, server.listening, events)
        }
        #expect(thrown == Thrown(NetError.abortError))
        #expect(!listening)
        #expect(events == ["close"])
    }

    @Test func anAlreadyCancelledTaskAbortsAtItsFirstWait() async throws {
        let thrown = try await EventLoop.run { loop -> Thrown? in
            let server = Net.createServer { _ in }
            try await server.listenAsync(port: 0, host: "127.0.0.1")
            let port = server.address()?.port ?? 0
            let task = Task(executorPreference: loop) { () async -> Thrown? in
                withUnsafeCurrentTask { $0?.cancel() }
                do { _ = try await Net.connectAsync(port: port, host: "127.0.0.1") } catch { return Thrown(error) }
                return nil
            }
            let thrown = await task.value
            server.close()
            return thrown
        }
        #expect(thrown == Thrown(NetError.abortError))
    }

    // MARK: Misuse is loud

    @Test func aServerMadeInATaskOnTheCooperativePoolFailsLoudly() throws {
        // Without Swift's backtracer: under AddressSanitizer its helper can hang and hold the pipes open.
        let output = try ChildProcess.run("/usr/bin/env", ["SWIFT_BACKTRACE=enable=no", Fixture.path, "task-dead-loop"])
        #expect(output.status != 0)
        #expect(output.stderr.contains("Net: a Net object was created or used from a Swift task on a thread whose event loop is not running"))
        #expect(output.stderr.contains("EventLoop.run"))
        #expect(!output.stdout.contains("no failure"))
    }

    // MARK: Backpressure

    /// 1 GiB from Node to a consumer that handles chunks slowly through the chunk sequence: the
    /// consumer's RSS stays below 64 MiB throughout, and every byte arrives (an order-sensitive checksum).
    @Test(.timeLimit(.minutes(5))) func aSlowConsumerBoundsMemory() throws {
        let script = """
            set -euo pipefail
            free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
            port=$(free_port)
            "\(Fixture.path)" async-sink "$port" 16 > "$TMPDIR_SINK/out" &
            sink=$!
            trap 'kill -9 $sink 2>/dev/null || true' EXIT
            hex=$(printf '%04X' "$port")
            for _ in $(seq 200); do grep -qE ":$hex [0-9A-F]+:0000 0A" /proc/net/tcp && break; sleep 0.05; done
            node -e '
              const net = require("net"), crypto = require("crypto");
              const block = crypto.randomBytes(1 << 20);
              let a = 0, b = 0, i = 0;
              const s = net.connect(+process.argv[1], "127.0.0.1");
              function sum(buf) { for (let k = 0; k < buf.length; k++) { a = (a + buf[k]) >>> 0; b = (b + a) >>> 0; } }
              function pump() {
                while (i < 1024) {
                  const buf = Buffer.from(block); buf.writeUInt32LE(i, 0); sum(buf); i++;
                  if (!s.write(buf)) { s.once("drain", pump); return; }
                }
                s.end(() => console.log(`sent ${1024 * (1 << 20)} ${a} ${b}`));
              }
              s.on("connect", pump);
            ' "$port"
            wait $sink
            cat "$TMPDIR_SINK/out"
            """
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("async-sink-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = try ChildProcess.run("/usr/bin/env", ["TMPDIR_SINK=\(directory.path)", "/bin/bash", "-c", script], timeout: 280)
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let lines = output.stdout.split(separator: "\n").map(String.init)
        let sent = lines.first { $0.hasPrefix("sent ") }?.dropFirst(5)
        let received = lines.first { $0.hasPrefix("received ") }?.dropFirst(9)
        #expect(sent != nil && sent == received, "\(lines)")
        let rss = lines.first { $0.hasPrefix("maxrss ") }.flatMap { Int($0.dropFirst(7)) } ?? .max
        // Under AddressSanitizer (make test-asan) the fixture's RSS is the sanitizer's: its shadow memory
        // and the quarantine of freed blocks (256 MiB by default) hold hundreds of MiB whatever the
        // program keeps. The bound is checked in the plain run; the checksum in both.
        if dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_init") == nil {
            #expect(rss < 64 << 20, "largest RSS \(rss) bytes")
        }
        print("async sink: \(lines)")
    }
}
