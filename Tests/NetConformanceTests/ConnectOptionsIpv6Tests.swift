// Node: test/parallel/test-net-connect-options-ipv6.js
import Net
import NetTestSupport
import Testing

/// The `family` option reaches the lookup function: a custom lookup asked for `dummy` with family 6
/// answers `::1`, and the half-open client can still write after the server's FIN (still writable
/// 10 ms after its 'end'), then ends; the server's socket sees 'end'.
@Suite struct ConnectOptionsIpv6Tests {
    @Test func familySixIsPassedToTheLookupAndUsed() {
        let result = LoopThread.run { _, trace in
            func check(_ ok: Bool, _ what: String) { if !ok { trace.log("FAIL \(what)") } }
            let server = Net.createServer(.init(allowHalfOpen: true)) { socket in
                trace.log("S connection")
                socket.resume()
                socket.on(.end) { trace.log("S end") }
                socket.end()
            }
            try! server.listen(port: 0, host: "::1") {
                var options = ConnectOptions(port: server.address()!.port!, host: "dummy", family: 6, allowHalfOpen: true)
                options.lookup = { addr, opt, cb in
                    trace.log("lookup")
                    check(addr == "dummy", "lookup host \(addr)")
                    check(opt.family == 6, "lookup family \(opt.family)")
                    cb(nil, "::1", opt.family)
                }
                var client: Socket!
                client = try! Net.connect(options) {
                    trace.log("C connect \(client.remoteAddress ?? "nil")")
                    client.resume()
                    client.on(.end) {
                        trace.log("C end")
                        setTimeout(10) {
                            trace.log("C writable \(client.writable)")
                            client.end()
                        }
                    }
                    client.on(.close) { _ in server.close() }
                }
            }
        }
        #expect(result.finished)
        let client = result.trace.filter { $0.hasPrefix("C") || $0 == "lookup" || $0.hasPrefix("FAIL") }
        #expect(client == ["lookup", "C connect ::1", "C end", "C writable true"])
        #expect(result.trace.filter { $0.hasPrefix("S") } == ["S connection", "S end"])
    }
}
