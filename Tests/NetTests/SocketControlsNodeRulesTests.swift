@testable import Net
import Foundation
import NetTestSupport
import Testing

/// Rules of Node v20's socket controls that its own tests do not reach, each checked against node v20.20.2.
@Suite struct SocketControlsNodeRulesTests {
    static func sockopt(_ socket: Socket, _ level: Int32, _ name: Int32) -> Int32 {
        guard let fd = socket.handle?.fileDescriptor else { return -1 }
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, level, name, &value, &length) == 0 ? value : -1
    }

    static func setsockopt(_ socket: Socket, _ level: Int32, _ name: Int32, _ value: Int32) {
        guard let fd = socket.handle?.fileDescriptor else { return }
        var v = value
        _ = Glibc.setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Node's Server constructor turns a negative `keepAliveInitialDelay` into 0, so an accepted socket
    /// records a 0 s delay and a later `setKeepAlive(true, 0)` is a repeat, skipped (a marker TCP_KEEPINTVL
    /// set behind Net's back survives it).
    @Test func negativeServerKeepAliveDelayCountsAsZero() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer(.init(keepAlive: true, keepAliveInitialDelay: -5_000)) { c in
                Self.setsockopt(c, Int32(IPPROTO_TCP), TCP_KEEPINTVL, 5)
                c.setKeepAlive(true, 0)
                trace.log("TCP_KEEPINTVL \(Self.sockopt(c, Int32(IPPROTO_TCP), TCP_KEEPINTVL))")
                c.destroy()
                server.close()
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                try! Net.connect(port: server.address()!.port!, host: "127.0.0.1").on(.error) { _ in }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["TCP_KEEPINTVL 5"])
    }

    /// Node drops when `self.maxConnections && self._connections >= self.maxConnections`: any non-zero value
    /// is a limit, so a negative one drops every connection. node v20.20.2 with `maxConnections = -1`:
    /// `drop IPv6` (a dual-stack server), `client close`, and no 'connection'.
    @Test func negativeMaxConnectionsDropsEveryConnection() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { c in
                trace.log("connection")
                c.destroy()
                server.close()
            }
            server.maxConnections = -1
            server.on(.drop) { info in
                trace.log("drop \(info?.remoteFamily ?? "nil")")
                server.close()
            }
            try! server.listen(port: 0) {
                let c = try! Net.connect(port: server.address()!.port!)
                c.on(.error) { _ in }
                c.on(.close) { _ in trace.log("client close") }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["drop IPv6", "client close"])
    }

    /// A socket keeps the `AbortSignal.timeout` it was given: nobody else holds the signal, yet its timer
    /// still aborts the connection. node v20.20.2, `connect({port, signal: AbortSignal.timeout(50)})`:
    /// `connect`, `error AbortError ABORT_ERR The operation was aborted` (cause TimeoutError), `close true`.
    @Test func timeoutSignalAbortsAConnectionThatAloneHoldsIt() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { c in c.on(.close) { _ in server.close() } }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let c = try! Net.connect(ConnectOptions(port: server.address()!.port!, host: "127.0.0.1",
                                                        signal: AbortSignal.timeout(50)))
                c.on(.connect) { trace.log("connect") }
                c.on(.error) { e in trace.log("error \(e.name) \(e.code) \(e.message)") }
                c.on(.close) { h in trace.log("close \(h)") }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["connect", "error AbortError ABORT_ERR The operation was aborted", "close true"])
    }
}
