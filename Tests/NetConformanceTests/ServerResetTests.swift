// Node: test/parallel/test-net-server-reset.js
import Net
import NetTestSupport
import Testing

/// Once two connections are accepted, the server closes (`close()` returns the server) and resets both
/// accepted sockets with `resetAndDestroy()`: each accepted socket emits 'close' once, each client gets
/// 'error' `ECONNRESET`, and the server emits 'close' once. `listen()` returns the server.
@Suite struct ServerResetTests {
    @Test func serverResetsItsSockets() {
        let r = LoopThread.run { _, trace in
            var sockets: [Socket] = []
            var server: Server!
            server = Net.createServer { c in
                c.on(.close) { _ in trace.log("accepted close") }
                sockets.append(c)
                if sockets.count == 2 {
                    trace.log("close() returns the server: \(server.close() === server)")
                    for c in sockets {
                        do { try c.resetAndDestroy() } catch { trace.log("resetAndDestroy threw \(error)") }
                    }
                    sockets = []
                }
            }
            server.on(.close) { trace.log("server close") }
            do {
                let returned = try server.listen(port: 0) {
                    guard let port = server.address()?.port else { return }
                    for _ in 0..<2 {
                        do {
                            try Net.createConnection(port: port).on(.error) { error in trace.log("client error \(error.code)") }
                        } catch { trace.log("connect threw \(error)") }
                    }
                }
                trace.log("listen() returns the server: \(returned === server)")
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace.first == "listen() returns the server: true")
        #expect(r.trace.sorted() == [
            "accepted close", "accepted close",
            "client error ECONNRESET", "client error ECONNRESET",
            "close() returns the server: true",
            "listen() returns the server: true",
            "server close",
        ])
    }
}
