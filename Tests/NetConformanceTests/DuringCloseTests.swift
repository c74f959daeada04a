// Node: test/parallel/test-net-during-close.js
import Net
import NetTestSupport
import Testing

/// Reading `remoteAddress`, `remoteFamily` and `remotePort` while the client is still connecting (and
/// the server already closing) is safe; they are unset then (Node: `undefined`, §6.5 of the semantics
/// spec). Node's test then calls `process.exit(0)` so as not to wait for the client's outcome; here the
/// client is destroyed instead, which ends the loop just as promptly.
@Suite struct DuringCloseTests {
    @Test func remoteGettersWhileConnecting() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { socket in socket.end() }
            try! server.listen(port: 0) {
                let client = try! Net.createConnection(port: server.address()!.port!)
                server.close()
                // The server's 'connection' has not fired yet; the client is still connecting.
                trace.log("connecting \(client.connecting)")
                trace.log("remote \(client.remoteAddress ?? "nil") \(client.remoteFamily ?? "nil") \(client.remotePort.map(String.init) ?? "nil")")
                client.on(.error) { e in trace.log("FAIL error \(e)") }
                client.destroy()
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["connecting true", "remote nil nil nil"])
    }
}
