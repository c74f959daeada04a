// Node: test/parallel/test-net-reconnect.js
import Net
import NetTestSupport
import Testing

/// One client socket connects, receives a line, ends and reconnects from its 'close' listener, 51 times;
/// every 'close' on both sides reports `hadError == false`, and the client sees 51 'data' and 51 'end'.
@Suite struct ReconnectTests {
    static let n = 50

    @Test func fiftyOneConnectEndCycles() {
        let result = LoopThread.run { _, trace in
            var disconnectCount = 0
            var server: Server!
            server = Net.createServer { socket in
                socket.resume()
                socket.write("hello\r\n")
                socket.on(.end) { socket.end() }
                socket.on(.close) { hadError in trace.log("S close \(hadError)") }
            }
            try! server.listen(port: 0) {
                let client = try! Net.createConnection(port: server.address()!.port!)
                client.setEncoding(.utf8)
                client.on(.data) { chunk in
                    trace.log("C data \(chunk.string == "hello\r\n")")
                    client.end()
                }
                client.on(.end) { trace.log("C end") }
                client.on(.close) { hadError in
                    trace.log("C close \(hadError)")
                    if disconnectCount < Self.n {
                        disconnectCount += 1
                        try! client.connect(port: server.address()!.port!)   // reconnect
                    } else {
                        disconnectCount += 1
                        server.close()
                    }
                }
            }
        }
        #expect(result.finished)
        let trace = result.trace
        #expect(trace.filter { $0 == "C close false" }.count == Self.n + 1)
        #expect(trace.filter { $0 == "C data true" }.count == Self.n + 1)
        #expect(trace.filter { $0 == "C end" }.count == Self.n + 1)
        #expect(trace.filter { $0 == "S close false" }.count == Self.n + 1)
        #expect(!trace.contains { $0.hasSuffix("true") && $0.contains("close") })
        #expect(!trace.contains("C data false"))
    }
}
