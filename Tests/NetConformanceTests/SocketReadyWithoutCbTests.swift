// Node: test/parallel/test-net-socket-ready-without-cb.js
import Net
import NetTestSupport
import Testing

/// 'ready' is emitted after a `connect` made without a callback. Node passes `server.address()` of a
/// server on `localhost` (`{address, family: 'IPv4', port}`), of which `connect` reads `port` and
/// `family`: the Swift port passes those two.
@Suite struct SocketReadyWithoutCbTests {
    @Test func readyWithoutConnectCallback() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { conn in
                trace.log("connection")
                conn.end()
                server.close()
            }
            try! server.listen(port: 0, host: "localhost") {
                let client = Socket()
                client.on(.ready) {
                    trace.log("ready")
                    client.end()
                }
                guard case .inet(let address) = server.address()! else { return trace.log("FAIL address") }
                do {
                    try client.connect(ConnectOptions(port: address.port, family: address.family == "IPv6" ? 6 : 4))
                } catch {
                    trace.log("FAIL threw \(error)")
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace.sorted() == ["connection", "ready"])
    }
}
