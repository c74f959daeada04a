// Node: test/parallel/test-net-write-after-end-nt.js
import Net
import NetTestSupport
import Testing

/// A write on a socket that has ended its own side, made inside its 'end' listener (after the peer's FIN),
/// returns false and fails with EPIPE; the 'error' event comes in a later tick, not during `write()`.
@Suite struct WriteAfterEndNtTests {
    @Test func writeAfterEndErrorsInTheNextTick() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { socket in
                trace.log("S connection")
                socket.end()
            }
            try! server.listen {
                var client: Socket!
                client = try! Net.connect(port: server.address()!.port!) {
                    var hasError = false
                    client.on(.error) { err in
                        hasError = true
                        trace.log("C error \(err.code)")
                        server.close()
                    }
                    client.on(.end) {
                        let ret = client.write("hello") { err in
                            trace.log("C write callback \(err?.code ?? "null") \(err?.name ?? "")")
                        }
                        trace.log("C write returned \(ret); error emitted yet: \(hasError)")
                    }
                    client.end()
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace.filter { $0.hasPrefix("S ") } == ["S connection"])
        let client = result.trace.filter { $0.hasPrefix("C ") }
        #expect(client.first == "C write returned false; error emitted yet: false")
        #expect(client.filter { $0 == "C write callback EPIPE Error" }.count == 1)
        #expect(client.filter { $0 == "C error EPIPE" }.count == 1)
        #expect(client.count == 3)
    }
}
