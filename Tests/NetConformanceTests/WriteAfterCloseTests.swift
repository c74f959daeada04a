// Node: test/parallel/test-net-write-after-close.js
import Net
import NetTestSupport
import Testing

/// Writing to a server socket whose client has ended (and which has therefore ended and closed itself)
/// fails through the write callback, without an 'error' event.
///
/// Follows Node v20's version of the test (the client's `end()`, then the write from the client's 'end'
/// listener); older copies wrote after a 250 ms timer and expected a server 'error' instead. The error is
/// node v20.20.2's: EPIPE "This socket has been ended by the other party" (Node's test only asserts one).
@Suite struct WriteAfterCloseTests {
    @Test func writeToASocketWhosePeerClosedCallsBackWithAnError() {
        let result = LoopThread.run { _, trace in
            var serverSocket: Socket?
            var server: Server!
            server = Net.createServer { socket in
                trace.log("S connection")
                serverSocket = socket
                socket.resume()
                socket.on(.error) { e in trace.log("S error \(e.code)") }   // must not happen
            }
            try! server.listen(port: 0) {
                var client: Socket!
                client = try! Net.connect(port: server.address()!.port!) {
                    // end() closes both sides of the duplex (allowHalfOpen defaults to false); 'end'
                    // comes with the server's FIN.
                    client.on(.end) {
                        trace.log("C end")
                        serverSocket!.write("test") { err in
                            trace.log("S write callback \(err.map { "\($0.code) \($0.message)" } ?? "null")")
                            serverSocket = nil
                            server.close()
                        }
                    }
                    client.end()
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == [
            "S connection",
            "C end",
            "S write callback EPIPE This socket has been ended by the other party",
        ])
    }
}
