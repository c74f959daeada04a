// Node: test/parallel/test-net-connect-reset-until-connected.js
import Net
import NetTestSupport
import Testing

/// Once both the client's 'connect' and the server's 'connection' have happened, the client calls
/// `resetAndDestroy()`: the client emits 'close' once, and the server's socket gets `ECONNRESET` "read
/// ECONNRESET" (name `Error`).
@Suite struct ConnectResetUntilConnectedTests {
    @Test func resetOnceConnectedOnBothSides() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer()
            do {
                try server.listen(port: 0) {
                    guard let port = server.address()?.port else { return }
                    do {
                        let conn = try Net.createConnection(port: port)
                        var count = 2
                        let connok = {
                            count -= 1
                            if count == 0 {
                                do { try conn.resetAndDestroy() } catch { trace.log("resetAndDestroy threw \(error)") }
                            }
                        }
                        conn.on(.close) { _ in trace.log("client close") }
                        conn.on(.error) { e in trace.log("client error (not expected) \(e)") }
                        server.on(.connection) { socket in
                            connok()
                            socket.on(.error) { e in trace.log("server socket error \(e.name) \(e.code): \(e.message)") }
                            server.close()
                        }
                        conn.on(.connect) { connok() }
                    } catch { trace.log("connect threw \(error)") }
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace.sorted() == ["client close", "server socket error Error ECONNRESET: read ECONNRESET"])
    }
}
