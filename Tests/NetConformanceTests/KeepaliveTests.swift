// Node: test/parallel/test-net-keepalive.js
@testable import Net
import NetTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// An accepted socket turns keep-alive on with `setKeepAlive(true, 50)`; 100 ms later both ends of the
/// connection are still open (`readyState` 'open'). Then both end and the server closes.
///
/// Also read from the kernel (what the test is about, which Node cannot see): SO_KEEPALIVE is on. 50 ms is
/// 0 whole seconds, which leaves the system's idle time.
/// Dropped: `assert.notEqual(connection.setKeepAlive, undefined)` (a JavaScript property check).
@Suite struct KeepaliveTests {
    @Test func keepAliveKeepsTheConnectionOpen() {
        let r = LoopThread.run { loop, trace in
            var serverConnection: Socket?
            var clientConnection: Socket?
            var echoServer: Server!
            echoServer = Net.createServer { connection in
                serverConnection = connection
                loop.setTimeout(100) {
                    trace.log("server \(serverConnection?.readyState.rawValue ?? "nil") client \(clientConnection?.readyState.rawValue ?? "nil")")
                    serverConnection?.end()
                    clientConnection?.end()
                    echoServer.close()
                }
                do { try connection.setTimeout(0) } catch { trace.log("setTimeout threw \(error)") }
                let returned = connection.setKeepAlive(true, 50)
                trace.log("setKeepAlive returns the socket: \(returned === connection)")
                trace.log("SO_KEEPALIVE=\(sockopt(connection, SOL_SOCKET, SO_KEEPALIVE))")
                connection.on(.end) { connection.end() }
            }
            do {
                try echoServer.listen(port: 0)
                echoServer.on(.listening) {
                    guard let port = echoServer.address()?.port else { return }
                    do {
                        clientConnection = try Net.createConnection(port: port)
                        try clientConnection?.setTimeout(0)
                        clientConnection?.on(.error) { e in trace.log("client error \(e)") }
                    } catch { trace.log("connect threw \(error)") }
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == ["setKeepAlive returns the socket: true", "SO_KEEPALIVE=1", "server open client open"])
    }
}

