// Node: test/parallel/test-net-persistent-keepalive.js
@testable import Net
import NetTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `setKeepAlive(true, 400)` on a `Socket` that has not connected yet returns the socket and is kept:
/// the connection made afterwards has keep-alive on. 600 ms after the connection both ends are still open
/// (`readyState` 'open'); then both end and the server closes.
///
/// The persistence is read from the kernel (SO_KEEPALIVE at 'connect'), which Node cannot see.
/// Dropped: `typeof connection.setKeepAlive === 'function'` and `instanceof net.Socket` (JavaScript type
/// checks; the return is checked to be the same socket instead).
@Suite struct PersistentKeepaliveTests {
    @Test func keepAliveSetBeforeConnectPersists() {
        let r = LoopThread.run { loop, trace in
            var serverConnection: Socket?
            var clientConnection: Socket?
            var echoServer: Server!
            echoServer = Net.createServer { connection in
                serverConnection = connection
                loop.setTimeout(600) {
                    trace.log("server \(serverConnection?.readyState.rawValue ?? "nil") client \(clientConnection?.readyState.rawValue ?? "nil")")
                    serverConnection?.end()
                    clientConnection?.end()
                    echoServer.close()
                }
                do { try connection.setTimeout(0) } catch { trace.log("setTimeout threw \(error)") }
                connection.on(.end) { connection.end() }
            }
            do {
                try echoServer.listen(port: 0)
                echoServer.on(.listening) {
                    guard let port = echoServer.address()?.port else { return }
                    let client = Socket()
                    clientConnection = client
                    // Send a keep-alive probe after 400 ms (0 whole seconds: the system's idle time) and make
                    // sure the setting persists into the connection.
                    let s = client.setKeepAlive(true, 400)
                    trace.log("setKeepAlive returns the socket: \(s === client)")
                    do {
                        try client.connect(port: port)
                        try client.setTimeout(0)
                    } catch { trace.log("connect threw \(error)") }
                    client.on(.connect) { trace.log("connect SO_KEEPALIVE=\(sockopt(client, SOL_SOCKET, SO_KEEPALIVE))") }
                    client.on(.error) { e in trace.log("client error \(e)") }
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == ["setKeepAlive returns the socket: true", "connect SO_KEEPALIVE=1", "server open client open"])
    }
}

