// Node: test/parallel/test-net-socket-end-before-connect.js
import Net
import NetTestSupport
import Testing

/// `end()` called while the socket is still connecting waits for the connection, shuts it down, and the
/// socket then closes.
@Suite struct SocketEndBeforeConnectTests {
    @Test func endWhileConnectingLeadsToClose() {
        let result = LoopThread.run { _, trace in
            let server = Net.createServer()
            try! server.listen {
                let socket = try! Net.createConnection(port: server.address()!.port!)
                socket.on(.close) { _ in
                    trace.log("close")
                    server.close()
                }
                socket.end()
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["close"])
    }
}
