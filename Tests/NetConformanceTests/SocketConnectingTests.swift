// Node: test/parallel/test-net-socket-connecting.js
import Net
import NetTestSupport
import Testing

/// `connecting` is true right after `connect()` and false in the connect callback.
/// Dropped: the legacy `_connecting` getter (an underscore-prefixed JavaScript alias).
@Suite struct SocketConnectingTests {
    @Test func connectingUntilTheConnectCallback() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { conn in
                conn.end()
                server.close()
            }
            try! server.listen(port: 0) {
                var client: Socket!
                client = try! Net.connect(port: server.address()!.port!) {
                    trace.log("in callback connecting \(client.connecting)")
                    client.end()
                }
                trace.log("after connect() connecting \(client.connecting)")
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["after connect() connecting true", "in callback connecting false"])
    }
}
