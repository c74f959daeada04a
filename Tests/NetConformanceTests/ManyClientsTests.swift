// Node: test/pummel/test-net-many-clients.js
import Net
import NetTestSupport
import Testing

/// 100 concurrent clients each connect 5 times in a row (reconnecting from 'close'); every connection
/// receives the server's 40 KB and closes without error.
///
/// Follows Node v20's version, where the server writes from its 'connection' listener (older copies
/// waited for a 'connect' event on the accepted socket, which v20 never emits). n/a: `client.fd`
/// (always undefined in v20).
@Suite struct ManyClientsTests {
    static let bytes = 1024 * 40
    static let concurrency = 100
    static let connectionsPerClient = 5

    @Test func manyClientsReconnecting() {
        let result = LoopThread.run { _, trace in
            let body = String(repeating: "C", count: Self.bytes)
            var totalConnections = 0
            var server: Server!
            server = Net.createServer { c in
                totalConnections += 1
                c.write(body)
                c.end()
            }

            func runClient(_ port: Int, _ callback: @escaping () -> Void) {
                let client = try! Net.createConnection(port: port)
                var connections = 0
                var received = 0
                client.setEncoding(.utf8)
                client.on(.connect) {
                    received = 0
                    connections += 1
                }
                client.on(.data) { chunk in received += chunk.toString().utf16.count }
                client.on(.end) { client.end() }
                client.on(.error) { e in trace.log("client error \(e)") }
                client.on(.close) { hadError in
                    if hadError || received != Self.bytes {
                        trace.log("bad close: hadError \(hadError) received \(received)")
                    }
                    if connections < Self.connectionsPerClient {
                        try! client.connect(port: port)
                    } else {
                        callback()
                    }
                }
            }

            try! server.listen(port: 0) {
                var finishedClients = 0
                for _ in 0..<Self.concurrency {
                    runClient(server.address()!.port!) {
                        finishedClients += 1
                        if finishedClients == Self.concurrency {
                            server.close()
                            trace.log("total connections \(totalConnections)")
                        }
                    }
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["total connections \(Self.concurrency * Self.connectionsPerClient)"])
    }
}
