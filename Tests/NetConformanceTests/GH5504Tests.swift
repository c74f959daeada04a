// Node: test/sequential/test-net-GH-5504.js
import Net
import NetTestSupport
import Testing

/// A server closes itself at its first connection and writes 64 MB of `#` to it; the client destroys its
/// socket at 'connect', with that data unread. The server's socket must not keep trying to write or read:
/// it ends (its peer's reset arrives as an 'error', ECONNRESET from `read` on Linux, EPIPE from `write`
/// elsewhere, then 'close'), the 64 MB write is called back once, and everything closes, so the loop (Node:
/// both processes) ends by itself, well within the watchdog. An 'end' (an EOF instead of the reset, as old
/// CentOS kernels sent) is allowed, as Node only logs it; 'data' cannot come, the client sent nothing.
/// A socket that ignored the reset would not always keep the loop running (libuv stops a handle whose
/// read failed and whose write failed), so the events are checked as well as `run()` returning.
///
/// Node runs the server and the client as two child processes and only asserts that both exit (its
/// server socket has no 'error' listener: the reset kills that process, which is an exit too). Here they
/// are two sockets over 127.0.0.1 on one loop, and the server socket listens for 'error' so that the
/// reset is recorded rather than aborting the test process. Not asserted, as Node's test does not: the
/// write callback's argument (the write's error if it failed first, or null once the reset has destroyed
/// the socket, as in Node; `SocketDifferentialTests.writeQueuedAtDestroyCallsBackWithoutError` checks
/// the null).
@Suite struct GH5504Tests {
    static let size = 64 * 1024 * 1024

    @Test func largeWriteToAnAbruptlyDestroyedPeerEnds() {
        let r = LoopThread.run(timeout: 60) { _, trace in
            let content = Buffer.alloc(Self.size, fill: UInt8(ascii: "#"))
            var server: Server!
            server = Net.createServer { socket in
                trace.log("S connection")
                server.close { _ in trace.log("server close") }
                socket.on(.end) { trace.log("S end") }
                socket.on(.data) { _ in trace.log("S data") }
                socket.on(.error) { e in trace.log("S error \(e.code) \(e.syscall ?? "-")") }
                socket.on(.close) { hadError in trace.log("S close \(hadError)") }
                socket.write(content) { _ in trace.log("S write callback") }
                trace.log("S write pending \(socket.writableLength > 0)")
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var client: Socket!
                client = try! Net.connect(ConnectOptions(port: server.address()!.port!, host: "127.0.0.1")) {
                    trace.log("C connect")
                    client.destroy()
                }
                client.on(.error) { e in trace.log("C error \(e.code)") }
                client.on(.close) { hadError in trace.log("C close \(hadError)") }
            }
        }
        #expect(r.finished, "hang: \(r.trace)")
        #expect(r.seconds < 30)

        // The client: connects, destroys, closes without an error.
        #expect(r.trace.filter { $0.hasPrefix("C ") } == ["C connect", "C close false"])
        #expect(r.trace.filter { $0 == "server close" }.count == 1)

        // The server's socket: the write is queued (the test would prove nothing if the kernel took it all),
        // then the socket ends: at most one 'error', a reset, one write callback, and 'close' last.
        let s = r.trace.filter { $0.hasPrefix("S ") }
        #expect(Array(s.prefix(2)) == ["S connection", "S write pending true"])
        let errors = s.filter { $0.hasPrefix("S error ") }
        #expect(errors.count <= 1)
        #expect(errors.allSatisfy { ["S error ECONNRESET read", "S error ECONNRESET write", "S error EPIPE write"].contains($0) })
        #expect(s.filter { $0 == "S write callback" }.count == 1)
        #expect(s.filter { $0.hasPrefix("S close") } == ["S close \(!errors.isEmpty)"])
        #expect(s.last == "S close \(!errors.isEmpty)")
        #expect(!s.contains("S data"))
        #expect(s.filter { $0 == "S end" }.count <= 1)
        #expect(s.count == 2 + errors.count + 1 + 1 + s.filter { $0 == "S end" }.count)
    }
}
