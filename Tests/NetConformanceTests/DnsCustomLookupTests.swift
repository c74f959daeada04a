// Node: test/parallel/test-net-dns-custom-lookup.js
import Net
import NetTestSupport
import Testing

/// A custom `lookup` replaces `dns.lookup`: its answer (on the next tick) is what 'lookup' reports and
/// what the socket connects to, for IPv4 then IPv6; a lookup answering no IP address makes the socket
/// fail with ERR_INVALID_IP_ADDRESS. (v20 passes `family` with the custom lookup, so the single-address
/// path is taken; the stored pre-v20 copy delegated to `dns.lookup` instead.)
@Suite struct DnsCustomLookupTests {
    @Test func customLookupAnswerIsReportedAndUsed() {
        let result = LoopThread.run { _, trace in
            func check(_ ok: Bool, _ what: String) { if !ok { trace.log("FAIL \(what)") } }
            func run(_ addressType: Int, _ then: (() -> Void)?) {
                let address = addressType == 4 ? "127.0.0.1" : "::1"
                var server: Server!
                server = Net.createServer { client in
                    trace.log("connection \(addressType)")
                    client.end()
                    server.close()
                    then?()
                }
                try! server.listen(port: 0, host: address) {
                    var options = ConnectOptions(port: server.address()!.port!, host: "localhost", family: addressType)
                    options.lookup = { _, _, cb in
                        nextTick { cb(nil, address, addressType) }
                    }
                    try! Net.connect(options).on(.lookup) { r in
                        trace.log("lookup \(addressType)")
                        check(r.error == nil, "lookup error \(String(describing: r.error))")
                        check(r.address == address, "lookup address \(String(describing: r.address))")
                        check(r.family == addressType, "lookup family \(String(describing: r.family))")
                    }
                }
            }
            run(4) { run(6, nil) }
        }
        #expect(result.finished)
        #expect(result.trace == ["lookup 4", "connection 4", "lookup 6", "connection 6"])
    }

    @Test func lookupAnsweringNoAddressFailsWithInvalidIP() {
        let result = LoopThread.run { _, trace in
            var options = ConnectOptions(port: 80, host: "localhost")
            options.lookup = { _, _, cb in cb(nil, nil, 4) }
            try! Net.connect(options).on(.error) { e in trace.log("error \(e.code)") }
        }
        #expect(result.finished)
        #expect(result.trace == ["error ERR_INVALID_IP_ADDRESS"])
    }
}
