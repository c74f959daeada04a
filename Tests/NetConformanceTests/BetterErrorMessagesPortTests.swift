// Node: test/sequential/test-net-better-error-messages-port.js
import Net
import NetTestSupport
import Testing

/// Connecting to a port nobody listens on fails with ECONNREFUSED carrying that `port` and the
/// `address` tried (`127.0.0.1` or `::1`). Node uses the fixed `common.PORT`; here the closed port is
/// one the OS just handed out and released. With one address for `localhost` there is no happy-eyeballs
/// AggregateError to unwrap (the v20 test's `error.errors[0]` branch).
@Suite struct BetterErrorMessagesPortTests {
    @Test func refusedConnectionCarriesPortAndAddress() {
        let result = LoopThread.run { _, trace in
            func check(_ ok: Bool, _ what: String) { if !ok { trace.log("FAIL \(what)") } }
            let probe = Net.createServer()
            try! probe.listen(port: 0, host: "127.0.0.1") {
                let port = probe.address()!.port!
                probe.close { _ in
                    let c = try! Net.createConnection(port: port)
                    c.on(.connect) { trace.log("FAIL connect") }
                    c.on(.error) { e in
                        trace.log("error \(e.code)")
                        check(e.port == port, "port \(String(describing: e.port))")
                        check(e.address == "127.0.0.1" || e.address == "::1", "address \(String(describing: e.address))")
                    }
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["error ECONNREFUSED"])
    }
}
