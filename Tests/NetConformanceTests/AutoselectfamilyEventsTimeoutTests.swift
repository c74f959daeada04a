// Node: test/internet/test-net-autoselectfamily-events-timeout.js
import Net
import NetTestSupport
import Testing

/// An attempt that times out emits 'connectionAttemptTimeout' with its address, port and family, and
/// destroying the socket from that listener, before the next attempt starts, does not crash. Node's
/// internet IPv4 address becomes a ``BlackHole`` on 127.0.0.2 (a loopback port that never answers: the
/// SYN is dropped, far beyond the 10 ms attempt timeout), its IPv6 one `::1`. Stricter than Node's test
/// (which passes after 5 s whatever happened): the timeout must come, and nothing after the destroy.
/// The lookup answers on the next tick (Node's mock answers at once, inside `createConnection`, so the
/// first attempt's events come before any listener is added, in Node as in Net).
@Suite struct AutoselectfamilyEventsTimeoutTests {
    @Test func destroyingOnAttemptTimeoutDoesNotCrash() throws {
        let hole = try #require(BlackHole(host: "127.0.0.2"))
        defer { hole.close() }
        let port = hole.port
        let result = LoopThread.run { _, trace in
            var options = ConnectOptions(port: port, host: "example.org")
            options.lookupAll = Lookups.mockedLater("127.0.0.2", "::1")
            options.autoSelectFamily = true
            options.autoSelectFamilyAttemptTimeout = 10
            let connection = try! Net.createConnection(options)
            connection.on(.connectionAttempt) { a in trace.log("attempt \(a.address)") }
            connection.on(.connectionAttemptTimeout) { a in
                trace.log("timeout \(a.address) \(a.port ?? 0) \(a.family ?? 0)")
                connection.destroy()
            }
            connection.on(.connectionAttemptFailed) { f in trace.log("FAIL failed \(f.address) \(f.error.code)") }
            connection.on(.ready) { trace.log("FAIL ready") }
            connection.on(.error) { e in trace.log("FAIL error \(e.code)") }
            connection.on(.close) { _ in trace.log("close") }
        }
        #expect(result.finished)
        #expect(result.trace == ["attempt 127.0.0.2", "timeout 127.0.0.2 \(port) 4", "close"])
    }
}
