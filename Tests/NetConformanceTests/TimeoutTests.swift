// Node: test/pummel/test-net-timeout.js
import Net
import NetTestSupport
import Testing

/// An echo server whose sockets time out after `timeout` ms of idleness: a client that writes every
/// `interval` ms (half the timeout) keeps its connection alive for six exchanges; after the last one the
/// server's 'timeout' comes more than `timeout` ms after the fifth exchange and less than `timeout` + 800
/// ms after it; the server destroys the socket, the client (whose own timeout is disabled with
/// `setTimeout(0)`) ends, and everything closes.
///
/// Delays shortened from Node's 1000 ms timeout and 500 ms interval to 500 and 250 (same ratio; the 800 ms
/// slack is kept).
@Suite struct TimeoutTests {
    static let timeout = 500
    static let interval = 250

    @Test func activityHoldsOffTheTimeoutThenItFires() throws {
        let result = LoopThread.run { loop, trace in
            var exchanges = 0
            var starttime: ContinuousClock.Instant?
            var timeouttime: ContinuousClock.Instant?
            var echoServer: Server!
            echoServer = Net.createServer { socket in
                try! socket.setTimeout(Self.timeout)
                socket.on(.timeout) {
                    trace.log("server timeout")
                    timeouttime = .now
                    socket.destroy()
                }
                socket.on(.error) { e in trace.log("server socket error (must not happen): \(e)") }
                socket.on(.data) { d in socket.write(d) }
                socket.on(.end) { socket.end() }
            }
            try! echoServer.listen(port: 0) {
                let client = try! Net.createConnection(port: echoServer.address()!.port!)
                client.setEncoding(.utf8)
                try! client.setTimeout(0)   // disable the timeout for client
                client.on(.connect) { client.write("hello\r\n") }
                client.on(.data) { chunk in
                    if chunk.string != "hello\r\n" { trace.log("unexpected chunk \(chunk)") }
                    let before = exchanges
                    exchanges += 1
                    if before < 5 {
                        loop.setTimeout(Self.interval) { client.write("hello\r\n") }
                        if exchanges == 5 { starttime = .now }
                    }
                }
                client.on(.timeout) { trace.log("client timeout (must not happen)") }
                client.on(.end) {
                    trace.log("client end")
                    client.end()
                }
                client.on(.close) { _ in
                    trace.log("client disconnect")
                    echoServer.close()
                    // Node checks these in process.on('exit'); nothing else runs after this.
                    if let starttime, let timeouttime {
                        let diff = starttime.duration(to: timeouttime)
                        trace.log("diff \(diff.components.seconds * 1000 + diff.components.attoseconds / 1_000_000_000_000_000)")
                    } else {
                        trace.log("starttime \(starttime != nil), timeouttime \(timeouttime != nil)")
                    }
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace.dropLast() == ["server timeout", "client end", "client disconnect"])
        let diff = try #require(result.trace.last.flatMap { $0.hasPrefix("diff ") ? Int($0.dropFirst(5)) : nil },
                                "\(result.trace)")
        #expect(diff > Self.timeout)
        // Allow for 800 milliseconds more.
        #expect(diff < Self.timeout + 800)
    }
}
