// Node: test/parallel/test-net-writable.js
import Net
import NetTestSupport
import Testing

/// After the peer's FIN the client (default `allowHalfOpen` false) is still writable inside its 'end'
/// listeners: its own auto-`end()` comes a tick later, so a write there is an ordinary write.
@Suite struct WritableTests {
    @Test func writableInsideEnd() {
        let result = LoopThread.run { _, trace in
            // The server socket never reads the client's late write, so it never ends or closes (as in
            // Node, whose process exits with it still open); capturing the server weakly keeps that from
            // leaking it here.
            let server = Net.createServer()
            server.on(.connection) { [unowned server] s in
                trace.log("S connection")
                server.close()
                s.end()
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let socket = try! Net.connect(port: server.address()!.port!, host: "localhost")
                socket.on(.end) {
                    trace.log("C end: writable \(socket.writable)")
                    socket.write("hello world") { e in trace.log("C write callback \(e?.code ?? "null")") }
                }
                socket.on(.error) { e in trace.log("C error \(e.code)") }
            }
        }
        #expect(result.finished)
        #expect(result.trace.filter { $0.hasPrefix("S ") } == ["S connection"])
        // The write callback is not part of Node's test; in node v20.20.2 it gets null, as here.
        #expect(result.trace.filter { $0.hasPrefix("C ") } == ["C end: writable true", "C write callback null"])
    }
}
