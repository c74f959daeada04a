// Node: test/parallel/test-net-server-close.js
import Net
import NetTestSupport
import Testing

/// `close()` returns the server and stops accepting; with two open connections that are then destroyed,
/// each accepted socket emits 'close' once and the server emits 'close' once. `listen()` returns the server.
/// (The v20 test; older copies counted `server.connections`.)
@Suite struct ServerCloseTests {
    @Test func closeWaitsForTheOpenConnections() {
        let r = LoopThread.run { _, trace in
            var sockets: [Socket] = []
            var server: Server!
            server = Net.createServer { c in
                c.on(.close) { _ in trace.log("socket close") }
                sockets.append(c)
                if sockets.count == 2 {
                    trace.log("close() returns the server: \(server.close() === server)")
                    for c in sockets { c.destroy() }
                    sockets = []
                }
            }
            server.on(.close) { trace.log("server close") }
            do {
                let returned = try server.listen(port: 0) {
                    guard let port = server.address()?.port else { return }
                    do {
                        try Net.createConnection(port: port)
                        try Net.createConnection(port: port)
                    } catch { trace.log("connect threw \(error)") }
                }
                trace.log("listen() returns the server: \(returned === server)")
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace.first == "listen() returns the server: true")
        #expect(r.trace.filter { $0 == "close() returns the server: true" }.count == 1)
        #expect(r.trace.filter { $0 == "socket close" }.count == 2)
        #expect(r.trace.filter { $0 == "server close" }.count == 1)
        #expect(r.trace.count == 5)
    }
}
