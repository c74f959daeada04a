// Node: test/parallel/test-net-dns-lookup.js
import Net
import NetTestSupport
import Testing

/// Connecting to `localhost` emits 'lookup' once with `(null, '127.0.0.1', 4, 'localhost')` (this
/// machine's /etc/hosts maps localhost to 127.0.0.1 only, as the test assumes).
@Suite struct DnsLookupTests {
    @Test func localhostLookupReportsTheAddress() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { client in
                client.end()
                server.close()
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                try! Net.connect(port: server.address()!.port!, host: "localhost").on(.lookup) { r in
                    trace.log("lookup \(r.error == nil) \(r.address ?? "nil") \(r.family ?? -1) \(r.host)")
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["lookup true 127.0.0.1 4 localhost"])
    }
}
