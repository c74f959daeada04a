// Node: test/pummel/test-net-pingpong.js
import Net
import NetTestSupport
import Testing

/// 1000 PING/PONG round trips, then a final PING with the client's `end()`, against an `allowHalfOpen`
/// server, checking `readyState` on both sides: `'open'` during the exchange, the client `'readOnly'`
/// after its `end()`, the server `'writeOnly'` at 'end' and `'closed'` at 'close' (`hadError` false);
/// the server sees the client's address. Run on `localhost`, the default address and `::1`.
///
/// Where the old copy expected exactly `127.0.0.1` for the default address, Node v20 listens dual-stack on
/// `::` and sees the IPv4 client as `::ffff:127.0.0.1`: either is accepted. n/a: `socket.timeout = 0`.
@Suite struct PummelPingPongTests {
    static let n = 1000

    @Test(arguments: ["localhost", nil, "::1"] as [String?])
    func pingPong(host: String?) {
        let n = Self.n
        let result = LoopThread.run { _, trace in
            var count = 0
            var sentFinalPing = false
            var server: Server!
            server = Net.createServer(.init(allowHalfOpen: true)) { socket in
                let address = socket.remoteAddress ?? "nil"
                let expected = host == "::1" ? ["::1"] : ["127.0.0.1", "::ffff:127.0.0.1"]
                trace.log("S remoteAddress as expected: \(expected.contains(address))")
                trace.log("remoteAddress \(address)")
                socket.setEncoding(.utf8)
                socket.setNoDelay()
                socket.on(.data) { data in
                    if socket.readyState != .open { trace.log("S data: readyState \(socket.readyState)") }
                    if count > n { trace.log("S count \(count)") }
                    if data.toString().contains("PING") { socket.write("PONG") }
                }
                socket.on(.end) {
                    trace.log("S end: readyState \(socket.readyState)")
                    socket.end()
                }
                socket.on(.close) { hadError in
                    trace.log("S close: hadError \(hadError) readyState \(socket.readyState)")
                    server.close()
                }
            }
            try! server.listen(port: 0, host: host) {
                let port = server.address()!.port!
                let client = host.map { try! Net.createConnection(port: port, host: $0) }
                    ?? (try! Net.createConnection(port: port))
                client.setEncoding(.utf8)
                client.on(.connect) {
                    trace.log("C connect: readyState \(client.readyState)")
                    client.write("PING")
                }
                client.on(.data) { data in
                    if data.string != "PONG" { trace.log("C data \(data)") }
                    count += 1
                    if sentFinalPing {
                        if client.readyState != .readOnly { trace.log("C after final ping: readyState \(client.readyState)") }
                        return
                    }
                    if client.readyState != .open { trace.log("C data: readyState \(client.readyState)") }
                    if count < n {
                        client.write("PING")
                    } else {
                        sentFinalPing = true
                        client.write("PING")
                        client.end()
                    }
                }
                client.on(.close) { _ in trace.log("C close: count \(count) sentFinalPing \(sentFinalPing)") }
            }
        }
        #expect(result.finished)
        #expect(result.trace.filter { $0.hasPrefix("S ") } == [
            "S remoteAddress as expected: true",
            "S end: readyState writeOnly",
            "S close: hadError false readyState closed",
        ])
        #expect(result.trace.filter { $0.hasPrefix("C ") } == [
            "C connect: readyState open",
            "C close: count \(n + 1) sentFinalPing true",
        ])
    }
}
