// Node: test/parallel/test-net-autoselectfamily-default.js
import Net
import NetTestSupport
import Testing

/// `setDefaultAutoSelectFamily` governs a connect that leaves `autoSelectFamily` unset. Node's dgram DNS
/// server answering `::1` and `127.0.0.1` becomes a custom lookup answering the same, with the listener on
/// IPv4 only. The default is process-wide: it is changed under `Lookups.autoSelectDefaults` and put back
/// right after each connect has read it.
@Suite struct AutoselectfamilyDefaultTests {
    static func connect(_ port: Int) -> Socket {
        var options = ConnectOptions(port: port, host: "example.org")
        options.lookupAll = Lookups.mocked("::1", "127.0.0.1")
        options.autoSelectFamilyAttemptTimeout = 2500
        return try! Net.createConnection(options)
    }

    @Test func ipv4IsReachedWhenTheDefaultIsEnabled() {
        let result = Lookups.autoSelectDefaults.withLock { _ in
            LoopThread.run { _, trace in
                let ipv4 = Net.createServer { s in
                    s.on(.data) { _ in s.write("response-ipv4"); s.end() }
                }
                try! ipv4.listen(port: 0, host: "127.0.0.1") {
                    setDefaultAutoSelectFamily(true)
                    let connection = Self.connect(ipv4.address()!.port!)
                    var response = ""
                    connection.setEncoding(.utf8)
                    connection.on(.data) { response += $0.toString() }
                    connection.on(.end) { trace.log("response \(response)"); ipv4.close() }
                    connection.write("request")
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["response response-ipv4"])
    }

    @Test func ipv4IsNotReachedWhenTheDefaultIsDisabled() {
        let result = Lookups.autoSelectDefaults.withLock { _ in
            LoopThread.run { _, trace in
                let ipv4 = Net.createServer { s in s.on(.data) { _ in s.end() } }
                try! ipv4.listen(port: 0, host: "127.0.0.1") {
                    let port = ipv4.address()!.port!
                    setDefaultAutoSelectFamily(false)
                    let connection = Self.connect(port)
                    setDefaultAutoSelectFamily(true)
                    connection.on(.ready) { trace.log("FAIL ready") }
                    connection.on(.error) { error in
                        trace.log("\(error.code) \(error.message == "connect ECONNREFUSED ::1:\(port)")")
                        ipv4.close()
                    }
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["ECONNREFUSED true"])
    }
}
