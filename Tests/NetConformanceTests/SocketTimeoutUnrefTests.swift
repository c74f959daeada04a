// Node: test/parallel/test-net-socket-timeout-unref.js
import Net
import NetTestSupport
import Testing

/// Unref'd sockets with pending idle timeouts (2 to 8 s) do not keep the process alive: once all six
/// clients are connected, each gets a timeout and is unref'd; with the server and its sockets unref'd
/// too, the loop returns at once and no timeout fires.
@Suite struct SocketTimeoutUnrefTests {
    /// The sockets never close (the loop just ends), so nothing may hold them in a cycle.
    final class Weak { weak var socket: Socket?; init(_ s: Socket) { socket = s } }

    @Test func unrefedSocketsWithTimeoutsDoNotHoldTheLoop() {
        let delays = [8, 5, 3, 6, 2, 4]
        let result = LoopThread.run(timeout: 15) { _, trace in
            let server = Net.createServer { c in
                c.write("hello")
                c.unref()
            }
            try! server.listen(port: 0)
            server.unref()

            var connections = 0
            var sockets: [(socket: Weak, timeout: Int)] = []
            for t in delays {
                let socket = try! Net.createConnection(port: server.address()!.port!, host: "localhost")
                socket.on(.connect) {
                    connections += 1
                    trace.log("connect")
                    if connections == delays.count {
                        for s in sockets {
                            guard let socket = s.socket.socket else { continue }
                            try! socket.setTimeout(s.timeout) { [weak socket] in
                                socket?.destroy()
                                trace.log("socket timed out unexpectedly")
                            }
                            socket.unref()
                        }
                    }
                }
                sockets.append((Weak(socket), t * 1000))
            }
        }
        #expect(result.finished)
        #expect(result.seconds < 2)
        #expect(result.trace == Array(repeating: "connect", count: delays.count))
    }
}
