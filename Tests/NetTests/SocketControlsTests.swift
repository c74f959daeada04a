@testable import Net
import Foundation
import NetTestSupport
import Testing

/// The socket and server controls on real sockets: idle timeouts, keep-alive as the kernel reports it,
/// ref/unref deciding when run() returns, maxConnections with 'drop', resetAndDestroy, onread, AbortSignal.
@Suite struct SocketControlsTests {
    static func sockopt(_ socket: Socket, _ level: Int32, _ name: Int32) -> Int32 {
        guard let fd = socket.handle?.fileDescriptor else { return -1 }
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, level, name, &value, &length)
        return value
    }

    @Test func idleTimeoutFiresOnceAndActivityPostponesIt() {
        let result = LoopThread.run { loop, trace in
            var server: Server!
            server = Net.createServer { c in
                c.resume()
                c.on(.close) { _ in server.close() }
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let c = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1")
                let started = loop.now
                try! c.setTimeout(100) { trace.log("timeout after activity \(loop.now - started >= 150)") }
                #expect(c.timeout == 100)
                loop.setTimeout(60) { c.write("activity") }   // pushes the timeout to ~160 ms
                c.on(.timeout) { c.destroy() }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["timeout after activity true"])
    }

    @Test func negativeTimeoutThrowsNodesError() {
        let socket = LoopThread.run { _, trace in
            do { try Socket().setTimeout(-1) } catch let e as NetError { trace.log("\(e.code) \(e.message)") } catch {}
        }
        #expect(socket.trace == ["ERR_OUT_OF_RANGE The value of \"msecs\" is out of range. It must be a non-negative finite number. Received -1"])
    }

    @Test func keepAliveSetsTheDocumentedProbes() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer(.init(keepAlive: true, keepAliveInitialDelay: 3_500)) { c in
                trace.log("server \(Self.sockopt(c, SOL_SOCKET, SO_KEEPALIVE)) \(Self.sockopt(c, Int32(IPPROTO_TCP), TCP_KEEPIDLE)) \(Self.sockopt(c, Int32(IPPROTO_TCP), TCP_KEEPINTVL)) \(Self.sockopt(c, Int32(IPPROTO_TCP), TCP_KEEPCNT))")
                c.destroy()
                server.close()
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var c: Socket!
                c = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1") {
                    c.setKeepAlive(true, 10_999)
                    trace.log("client \(Self.sockopt(c, SOL_SOCKET, SO_KEEPALIVE)) \(Self.sockopt(c, Int32(IPPROTO_TCP), TCP_KEEPIDLE))")
                    c.setKeepAlive(false)
                    trace.log("client off \(Self.sockopt(c, SOL_SOCKET, SO_KEEPALIVE))")
                    c.destroy()
                }
                c.on(.error) { _ in }
            }
        }
        #expect(result.trace.sorted() == ["client 1 10", "client off 0", "server 1 3 1 10"])
    }

    @Test func unrefedServerAndSocketLetRunReturn() {
        let result = LoopThread.run { _, trace in
            let server = Net.createServer { c in trace.log("connection"); c.unref() }
            server.unref()   // before listen: kept
            try! server.listen(port: 0, host: "127.0.0.1") {
                let c = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1")
                c.unref()
                trace.log("listening")
            }
        }
        #expect(result.finished)
        #expect(result.seconds < 5)
        #expect(result.trace.first == "listening")
    }

    @Test func maxConnectionsDropsWithAddresses() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            var first: Socket?
            server = Net.createServer { c in first = c; trace.log("connection") }
            server.maxConnections = 1
            server.on(.drop) { info in
                trace.log("drop \(info?.remoteAddress ?? "nil") \(info?.localPort == server.address()?.port)")
                first?.destroy()
                server.close()
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let port = server.address()!.port!
                let a = try! Net.connect(port: port, host: "127.0.0.1")
                a.on(.connect) {
                    let b = try! Net.connect(port: port, host: "127.0.0.1")
                    b.on(.close) { _ in trace.log("dropped client closed") }
                    b.on(.error) { _ in }
                    b.resume()
                }
                a.on(.error) { _ in }
                a.resume()
            }
        }
        #expect(result.finished)
        #expect(result.trace.prefix(2) == ["connection", "drop 127.0.0.1 true"])
        #expect(result.trace.contains("dropped client closed"))
    }

    @Test func resetAndDestroyGivesThePeerECONNRESET() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { c in
                c.on(.data) { _ in _ = try? c.resetAndDestroy() }
                c.on(.close) { h in trace.log("server close \(h)"); server.close() }
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var c: Socket!
                c = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1") { c.write("x") }
                c.on(.error) { e in trace.log("client \(e.code)") }
                c.on(.close) { h in trace.log("client close \(h)") }
            }
        }
        #expect(result.trace.filter { $0.hasPrefix("client") } == ["client ECONNRESET", "client close true"])
        #expect(result.trace.contains("server close false"))
    }

    @Test func onreadDeliversIntoUserMemoryWithoutDataEvents() {
        let result = LoopThread.run { _, trace in
            // Loop-confined memory the socket reads into; freed once the socket has closed.
            let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 1)
            var server: Server!
            server = Net.createServer { c in c.end("hello onread"); server.close() }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var received: [UInt8] = []
                let c = try! Net.connect(ConnectOptions(port: server.address()!.port!, host: "127.0.0.1",
                    onread: OnRead(buffer: .buffer(memory)) { n, buf in
                        received += buf.prefix(n)
                        return true
                    }))
                c.on(.data) { _ in trace.log("data event (never)") }
                c.on(.end) { trace.log("end \(String(decoding: received, as: UTF8.self)) \(c.bytesRead)") }
                c.on(.close) { _ in memory.deallocate() }
            }
        }
        #expect(result.trace == ["end hello onread 12"])
    }

    @Test func abortSignalDestroysSocketAndClosesServer() {
        let result = LoopThread.run { _, trace in
            let controller = AbortController()
            let server = Net.createServer()
            server.on(.close) { trace.log("server closed") }
            try! server.listen(Server.ListenOptions(port: 0, host: "127.0.0.1", signal: controller.signal)) {
                let c = try! Net.connect(ConnectOptions(port: server.address()!.port!, host: "127.0.0.1",
                                                        signal: AbortSignal.abort()))
                c.on(.error) { e in trace.log("socket \(e.name) \(e.code) \(e.message)") }
                c.on(.close) { h in trace.log("socket close \(h)"); controller.abort() }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["socket AbortError ABORT_ERR The operation was aborted", "socket close true", "server closed"])
    }
}

extension SocketControlsTests {
    /// resetAndDestroy on a Unix domain socket throws ERR_INVALID_HANDLE_TYPE, as Node does.
    @Test func resetOnAPipeThrowsInvalidHandleType() {
        let path = "/tmp/net-reset-pipe-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { c in c.on(.close) { _ in server.close() }; c.resume() }
            try! server.listen(path: path) {
                var c: Socket!
                c = Net.connect(path: path) {
                    do { try c.resetAndDestroy() } catch let e as NetError { trace.log("\(e.name) \(e.code) \(e.message)") } catch {}
                    c.destroy()
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["TypeError ERR_INVALID_HANDLE_TYPE This handle type cannot be sent"])
    }
}
