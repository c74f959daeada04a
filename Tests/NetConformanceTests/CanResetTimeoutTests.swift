// Node: test/parallel/test-net-can-reset-timeout.js
import Net
import NetTestSupport
import Testing

/// A server socket idle for 100 ms emits 'timeout' once; writing from that 'timeout' listener (which
/// re-arms the fired idle timer) works and crashes nothing: the client receives the write and ends, the
/// server ends back, and the process exits (node-v0.x-archive#481).
@Suite struct CanResetTimeoutTests {
    @Test func writeFromTheTimeoutListenerReachesThePeer() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { stream in
                trace.log("connection")
                try! stream.setTimeout(100)
                stream.resume()
                stream.once(.timeout) {
                    trace.log("server timeout")
                    // Try to reset the timeout.
                    stream.write("WHAT.")
                }
                stream.on(.end) {
                    trace.log("server side end")
                    stream.end()
                }
            }
            try! server.listen(port: 0) {
                let c = try! Net.createConnection(port: server.address()!.port!)
                c.on(.data) { chunk in
                    trace.log("client data \(chunk.toString())")
                    c.end()
                }
                c.on(.end) {
                    trace.log("client side end")
                    server.close()
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == [
            "connection", "server timeout", "client data WHAT.", "server side end", "client side end",
        ])
    }
}
