// Node: test/parallel/test-net-reuseport.js
import Net
import NetTestSupport
import Testing

/// Two servers listen on one port with `reusePort` (Node v22.12+; node v20, the oracle here, has not the
/// option and fails the second listen with EADDRINUSE), on `127.0.0.1` and on `::`; neither errors.
/// Linux only, where Node's `checkSupportReusePort` passes; elsewhere the listen fails with ENOTSUP.
@Suite struct ReuseportTests {
    static func listenTwice(_ host: String) -> LoopThread.Result {
        LoopThread.run { _, trace in
            let server1 = Net.createServer(), server2 = Net.createServer()
            server1.on(.error) { e in trace.log("FAIL server1 \(e.message)") }
            server2.on(.error) { e in trace.log("FAIL server2 \(e.message)") }
            var options = Server.ListenOptions(port: 0, host: host)
            options.reusePort = true
            try! server1.listen(options) {
                options.port = server1.address()!.port!
                try! server2.listen(options) {
                    trace.log("both listening \(server1.address()!.port! == server2.address()!.port!)")
                    server1.close()
                    server2.close()
                }
            }
        }
    }

    @Test func twoServersOnOnePortIPv4() {
        let result = Self.listenTwice("127.0.0.1")
        #expect(result.finished)
        #expect(result.trace == ["both listening true"])
    }

    @Test func twoServersOnOnePortIPv6() {
        let result = Self.listenTwice("::")
        #expect(result.finished)
        #expect(result.trace == ["both listening true"])
    }
}
