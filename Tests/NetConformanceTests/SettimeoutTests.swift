// Node: test/parallel/test-net-settimeout.js
import Net
import NetTestSupport
import Testing

/// `setTimeout(T, callback)` returns the socket; an immediate `setTimeout(0)` disables the timeout, so the
/// callback never runs although the connection then stays idle for 2T after the server's 'hello'
/// (joyent/node#2245). Follows the v20 test: the 2T wait starts at the client's one 'data'.
@Suite struct SettimeoutTests {
    static let t = 100

    @Test func setTimeoutZeroDisablesAnEarlierTimeout() {
        let result = LoopThread.run { loop, trace in
            var server: Server!
            server = Net.createServer { c in
                trace.log("connection")
                c.write("hello")
            }
            try! server.listen(port: 0) {
                let socket = try! Net.createConnection(port: server.address()!.port!, host: "localhost")
                let s = try! socket.setTimeout(Self.t) { trace.log("timeout (must not happen)") }
                trace.log("setTimeout returned the socket: \(s === socket)")
                socket.on(.data) { chunk in
                    trace.log("data \(chunk.toString())")
                    loop.setTimeout(Self.t * 2) {
                        socket.destroy()
                        server.close()
                    }
                }
                try! socket.setTimeout(0)
            }
        }
        #expect(result.finished)
        #expect(result.trace.sorted() == ["connection", "data hello", "setTimeout returned the socket: true"])
    }
}
