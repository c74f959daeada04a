// Node: test/parallel/test-net-socket-connect-without-cb.js
import Net
import NetTestSupport
import Testing

/// `socket.connect` without a callback still connects ('connect' is emitted).
/// Node's test passes `server.address()` of a server on `::`, i.e. `{port, family: 'IPv6'}`, which
/// resolves `localhost` for IPv6; this machine's /etc/hosts has no `::1` for localhost, so node v20.20.2
/// itself fails that call here with `getaddrinfo ENOTFOUND localhost`. The port takes the test's own
/// fallback for hosts without usable IPv6, `client.connect(address.port)`.
@Suite struct SocketConnectWithoutCbTests {
    @Test func connectWithoutCallbackEmitsConnect() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { conn in
                trace.log("connection")
                conn.end()
                server.close()
            }
            try! server.listen(port: 0) {
                let client = Socket()
                client.on(.connect) {
                    trace.log("connect")
                    client.end()
                }
                do { try client.connect(port: server.address()!.port!) } catch {
                    trace.log("FAIL threw \(error)")
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace.sorted() == ["connect", "connection"])
    }
}
