// Node: test/parallel/test-net-autoselectfamily-ipv4first.js
import Net
import NetTestSupport
import Testing

/// When the lookup answers an A record first, IPv4 is tried first and IPv6 is never reached, though a
/// server listens on both. Node's dgram DNS server becomes a custom lookup answering `127.0.0.1`, `::1`.
@Suite struct AutoselectfamilyIpv4firstTests {
    @Test func ipv6IsNotReachedIfIpv4IsSortedFirst() {
        let result = LoopThread.run { _, trace in
            let ipv4 = Net.createServer { s in
                s.on(.data) { _ in trace.log("ipv4 data"); s.write("response-ipv4"); s.end() }
            }
            let ipv6 = Net.createServer { s in
                s.on(.data) { _ in trace.log("FAIL ipv6 data"); s.write("response-ipv6"); s.end() }
            }
            try! ipv4.listen(port: 0, host: "127.0.0.1") {
                let port = ipv4.address()!.port!
                try! ipv6.listen(port: port, host: "::1") {
                    var options = ConnectOptions(port: port, host: "example.org")
                    options.lookupAll = Lookups.mocked("127.0.0.1", "::1")
                    options.autoSelectFamily = true
                    let connection = try! Net.createConnection(options)
                    var response = ""
                    connection.setEncoding(.utf8)
                    connection.on(.data) { response += $0.toString() }
                    connection.on(.end) {
                        trace.log("response \(response)")
                        ipv4.close()
                        ipv6.close()
                    }
                    connection.write("request")
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["ipv4 data", "response response-ipv4"])
    }
}
