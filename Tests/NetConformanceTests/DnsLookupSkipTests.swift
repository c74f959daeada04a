// Node: test/parallel/test-net-dns-lookup-skip.js
import Net
import NetTestSupport
import Testing

/// Connecting to an IP literal (IPv4 and IPv6) does no lookup: no 'lookup' event.
@Suite struct DnsLookupSkipTests {
    @Test func ipLiteralHostEmitsNoLookup() {
        let result = LoopThread.run { _, trace in
            func run(_ addressType: Int) {
                let address = addressType == 4 ? "127.0.0.1" : "::1"
                var server: Server!
                server = Net.createServer { client in
                    trace.log("connection \(addressType)")
                    client.end()
                    server.close()
                }
                try! server.listen(port: 0, host: address) {
                    try! Net.connect(port: server.address()!.port!, host: address)
                        .on(.lookup) { _ in trace.log("FAIL lookup \(addressType)") }
                }
            }
            run(4)
            run(6)
        }
        #expect(result.finished)
        #expect(result.trace.sorted() == ["connection 4", "connection 6"])
    }
}
