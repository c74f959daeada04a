// Node: test/internet/test-net-autoselectfamily-timeout-close.js
import Net
import NetTestSupport
import Testing

/// When no attempt succeeds the socket fails with an AggregateError carrying every attempt's error, and
/// 'close' follows. Node's internet host becomes a lookup answering 192.0.2.199 (TEST-NET-1, never
/// answers: abandoned after the 10 ms attempt timeout) and then `::1` on a port nothing listens on (the
/// last attempt has no timeout of its own, so it must fail by itself: refused).
@Suite struct AutoselectfamilyTimeoutCloseTests {
    @Test func everyErrorIsReturnedAndCloseIsEmitted() {
        let result = LoopThread.run { _, trace in
            let probe = Net.createServer()
            try! probe.listen(port: 0, host: "::1") {
                let port = probe.address()!.port!
                probe.close { _ in
                    var options = ConnectOptions(port: port, host: "example.org")
                    options.lookupAll = Lookups.mocked("192.0.2.199", "::1")
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
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["attempted 2", "AggregateError [\"ETIMEDOUT\", \"ECONNREFUSED\"]", "close"])
    }
}
