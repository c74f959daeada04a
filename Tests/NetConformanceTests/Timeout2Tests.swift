// Node: test/pummel/test-net-timeout2.js
import Net
import NetTestSupport
import Testing

/// Writes reset the idle timer (joyent/node#2002): a server socket with a timeout of 2.5 intervals that
/// writes once per interval never times out; after five intervals the server closes and destroys the
/// socket. The client reads everything (Node pipes it to stdout): the four lines written before.
///
/// Delays shortened from Node's 1 s interval and 2.5 s timeout to 200 ms and 500 ms (same ratio).
@Suite struct Timeout2Tests {
    static let seconds = 5
    static let interval = 200

    @Test func writesKeepTheTimeoutFromFiring() {
        let result = LoopThread.run { loop, trace in
            var counter = 0
            var server: Server!
            server = Net.createServer { socket in
                try! socket.setTimeout(Self.seconds * Self.interval / 2) { trace.log("timeout (must not happen)") }
                var interval: Timer?
                interval = loop.setInterval(Self.interval) {
                    counter += 1
                    if counter == Self.seconds {
                        interval?.cancel()
                        server.close()
                        socket.destroy()
                    }
                    if socket.writable {
                        socket.write("\(counter)\n")
                    }
                }
            }
            try! server.listen(port: 0) {
                let s = try! Net.connect(port: server.address()!.port!)
                var received = ""
                s.setEncoding(.utf8)
                s.on(.data) { chunk in received += chunk.toString() }
                s.on(.end) { trace.log("client received \(received.split(separator: "\n"))") }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["client received [\"1\", \"2\", \"3\", \"4\"]"])
    }
}
