// Node: test/parallel/test-socket-write-after-fin.js
import Net
import NetTestSupport
import Testing

/// An `allowHalfOpen` server receives everything the client wrote before its FIN, and can still answer
/// with `end(data)` from its 'end' listener; the client receives the echo. `end()` returns the socket.
@Suite struct SocketWriteAfterFinTests {
    static let expected = "hello1hello2hello3\nTHUNDERMUSCLE!"

    @Test func halfOpenServerAnswersAfterTheClientsFIN() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer(.init(allowHalfOpen: true)) { sock in
                var serverData = ""
                sock.setEncoding(.utf8)
                sock.on(.data) { c in serverData += c.toString() }
                sock.on(.end) {
                    trace.log("S end: \(serverData == Self.expected)")
                    sock.end(serverData)
                    server.close()
                }
            }
            try! server.listen(port: 0) {
                let sock = try! Net.connect(port: server.address()!.port!)
                var clientData = ""
                sock.setEncoding(.utf8)
                sock.on(.data) { c in clientData += c.toString() }
                sock.on(.end) { trace.log("C end: \(clientData == Self.expected)") }
                sock.write("hello1")
                sock.write("hello2")
                sock.write("hello3\n")
                trace.log("end returns the socket: \(sock.end("THUNDERMUSCLE!") === sock)")
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["end returns the socket: true", "S end: true", "C end: true"])
    }
}
