// Node: test/parallel/test-socket-write-after-fin-error.js
import Net
import NetTestSupport
import Testing

/// Without `allowHalfOpen`, a server socket that got the client's FIN has ended its own side (the
/// auto-`end()`); writing after that fails with EPIPE "This socket has been ended by the other party",
/// not the vaguer "write after end", and the client receives nothing.
///
/// Follows Node v20's version, which writes back from a `setImmediate` in 'end' (a write inside 'end'
/// itself is an ordinary write in v20; older copies wrote there). By that immediate the auto-`end()` has
/// shut the socket down and it has been destroyed, so, as in node v20.20.2 (checked), the error reaches
/// the write callback and no 'error' event follows.
@Suite struct SocketWriteAfterFinErrorTests {
    static let expected = "hello1hello2hello3\nTHUNDERMUSCLE!"

    @Test func writeAfterTheAutoEndFailsWithEPIPE() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { sock in
                var serverData = ""
                sock.setEncoding(.utf8)
                sock.on(.error) { er in trace.log("S error \(er.code): \(er.message)") }
                sock.on(.data) { c in serverData += c.toString() }
                sock.on(.end) {
                    trace.log("S end: \(serverData == Self.expected)")
                    setImmediate {
                        sock.write(serverData) { er in
                            trace.log("S write callback \(er.map { "\($0.code): \($0.message)" } ?? "null")")
                        }
                        sock.end()
                    }
                }
                server.close()
            }
            try! server.listen(port: 0) {
                let sock = try! Net.connect(port: server.address()!.port!)
                var clientData = ""
                sock.setEncoding(.utf8)
                sock.on(.data) { c in clientData += c.toString() }
                sock.on(.end) { trace.log("C end, received \(clientData.utf8.count) bytes") }
                sock.write("hello1")
                sock.write("hello2")
                sock.write("hello3\n")
                sock.end("THUNDERMUSCLE!")
            }
        }
        #expect(result.finished)
        let epipe = "EPIPE: This socket has been ended by the other party"
        #expect(result.trace.contains("C end, received 0 bytes"))
        #expect(result.trace.filter { $0.hasPrefix("S ") } == ["S end: true", "S write callback \(epipe)"])
    }
}
