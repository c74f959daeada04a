// Node: test/internet/test-net-autoselectfamily-timeout-close.js
import Net
import NetTestSupport
import Testing

/// When no attempt succeeds the socket fails with an AggregateError carrying every attempt's error, and
/// 'close' follows. Node's internet host becomes a lookup answering 127.0.0.2, a ``BlackHole`` (never
/// answers: abandoned after the 10 ms attempt timeout), and then `::1` on the hole's port, where nothing
/// listens (the last attempt has no timeout of its own, so it must fail by itself: refused).
@Suite struct AutoselectfamilyTimeoutCloseTests {
    @Test func everyErrorIsReturnedAndCloseIsEmitted() throws {
        let hole = try #require(BlackHole(host: "127.0.0.2"))
        defer { hole.close() }
        let port = hole.port
        let result = LoopThread.run { _, trace in
            var options = ConnectOptions(port: port, host: "example.org")
            options.lookupAll = Lookups.mocked("127.0.0.2", "::1")
            options.autoSelectFamily = true
            options.autoSelectFamilyAttemptTimeout = 10
            let connection = try! Net.connect(options)
            connection.on(.close) { _ in trace.log("close") }
            connection.on(.ready) { trace.log("FAIL ready") }
            connection.on(.error) { error in
                trace.log("attempted \(connection.autoSelectFamilyAttemptedAddresses?.count ?? 0)")
                trace.log("\(error.name) \((error.errors ?? []).map(\.code))")
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["attempted 2", "AggregateError [\"ETIMEDOUT\", \"ECONNREFUSED\"]", "close"])
    }
}
