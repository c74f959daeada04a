// Node: test/sequential/test-net-connect-handle-econnrefused.js
import Net
import NetTestSupport
import Testing

/// A refused connection emits 'error' ECONNREFUSED, never 'connect', and inside 'error' the socket is no
/// longer connecting. The closed port comes from a server that listened (synchronously bound, so
/// `address()` works right after `listen`) and closed.
@Suite struct ConnectHandleEconnrefusedTests {
    @Test func refusedWithConnectingFalseInError() {
        let result = LoopThread.run { _, trace in
            let server = Net.createServer()
            try! server.listen(port: 0)
            let port = server.address()!.port!
            server.close { _ in
                let c = try! Net.createConnection(port: port)
                c.on(.connect) { trace.log("FAIL connect") }
                c.on(.error) { e in trace.log("error \(e.code) connecting \(c.connecting)") }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["error ECONNREFUSED connecting false"])
    }
}
