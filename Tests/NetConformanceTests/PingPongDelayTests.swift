// Node: test/pummel/test-net-pingpong-delay.js
import Net
import NetTestSupport
import Testing

/// 100 PING/PONG round trips where each side answers 1 ms after receiving, then the client ends: both
/// sides stay `'open'` throughout; the server is `'writeOnly'` at 'end' and `'closed'` at 'close' with
/// `hadError` false.
///
/// n/a: the 'timeout' listeners (no timeout is ever set on these sockets, so they cannot fire; socket
/// timeouts are issue 5).
@Suite struct PingPongDelayTests {
    static let n = 100
    static let delay = 1

    @Test func pingPongWithDelays() {
        let n = Self.n
        let result = LoopThread.run { _, trace in
            var count = 0
            var clientEnded = false
            var server: Server!
            server = Net.createServer(.init(allowHalfOpen: true)) { socket in
                socket.setEncoding(.utf8)
                socket.on(.data) { data in
                    if data.string != "PING" { trace.log("S data \(data)") }
                    if socket.readyState != .open { trace.log("S data: readyState \(socket.readyState)") }
                    if count > n { trace.log("S count \(count)") }
                    setTimeout(Self.delay) {
                        if socket.readyState != .open { trace.log("S timer: readyState \(socket.readyState)") }
                        socket.write("PONG")
                    }
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
            try! server.listen(port: 0) {
                let client = try! Net.createConnection(port: server.address()!.port!)
                client.setEncoding(.utf8)
                client.on(.connect) {
                    trace.log("C connect: readyState \(client.readyState)")
                    client.write("PING")
                }
                client.on(.data) { data in
                    if data.string != "PONG" { trace.log("C data \(data)") }
                    if client.readyState != .open { trace.log("C data: readyState \(client.readyState)") }
                    setTimeout(Self.delay) {
                        if client.readyState != .open { trace.log("C timer: readyState \(client.readyState)") }
                        if count < n {
                            count += 1
                            client.write("PING")
                        } else {
                            count += 1
                            client.end()
                            clientEnded = true
                        }
                    }
                }
                client.on(.close) { _ in trace.log("C close: count \(count) ended \(clientEnded)") }
            }
        }
        #expect(result.finished)
        #expect(result.trace.filter { $0.hasPrefix("S ") } == [
            "S end: readyState writeOnly",
            "S close: hadError false readyState closed",
        ])
        #expect(result.trace.filter { $0.hasPrefix("C ") } == [
            "C connect: readyState open",
            "C close: count \(n + 1) ended true",
        ])
    }
}
