// Node: test/parallel/test-net-server-drop-connections.js
import Net
import NetTestSupport
import Testing

/// With `maxConnections = 1`, the second of two connections is dropped: the server emits 'drop' once, with
/// the dropped connection's local address and port and its remote address, port and family all set;
/// 'connection' is emitted once (for the first). In 'drop' the test destroys the first socket and closes
/// the server, and everything ends.
///
/// Node's clients have no 'error' listener (an 'error' would crash the test); here an 'error' is recorded
/// and must not happen.
@Suite struct ServerDropConnectionsTests {
    @Test func dropReportsTheAddressesOfTheDroppedConnection() {
        let r = LoopThread.run { _, trace in
            var firstSocket: Socket?
            var server: Server!
            server = Net.createServer { socket in
                trace.log("connection")
                firstSocket = socket
            }
            server.maxConnections = 1
            server.on(.drop) { data in
                trace.log("drop localAddress=\(data?.localAddress?.isEmpty == false) localPort=\((data?.localPort ?? 0) != 0) "
                    + "remoteAddress=\(data?.remoteAddress?.isEmpty == false) remotePort=\((data?.remotePort ?? 0) != 0) "
                    + "remoteFamily=\(data?.remoteFamily?.isEmpty == false)")
                firstSocket?.destroy()
                server.close()
            }
            do {
                try server.listen(port: 0) {
                    guard let port = server.address()?.port else { return }
                    for _ in 0..<2 {
                        do {
                            let client = try Net.createConnection(port: port)
                            client.on(.error) { e in trace.log("client error \(e)") }
                        } catch { trace.log("connect threw \(error)") }
                    }
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == [
            "connection",
            "drop localAddress=true localPort=true remoteAddress=true remotePort=true remoteFamily=true",
        ])
    }
}
