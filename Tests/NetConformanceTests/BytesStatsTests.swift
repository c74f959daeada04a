// Node: test/parallel/test-net-bytes-stats.js
import Net
import NetTestSupport
import Testing

/// `bytesRead` and `bytesWritten` are per connection: one client socket connects twice, writing "foo"
/// then "bar" each time; each connection's `bytesWritten` at 'finish' and the server socket's `bytesRead`
/// at 'end' add up to 12.
@Suite struct BytesStatsTests {
    @Test func countersArePerConnectionAcrossAReconnect() {
        let result = LoopThread.run { _, trace in
            var bytesRead = 0
            var bytesWritten = 0
            var count = 0
            var tcp: Server!
            tcp = Net.createServer { s in
                // Node's "trigger old mode": flowing without a 'data' listener.
                s.resume()
                s.on(.end) {
                    bytesRead += s.bytesRead
                    trace.log("S end bytesRead \(s.bytesRead)")
                }
            }
            try! tcp.listen(port: 0) {
                let socket = try! Net.createConnection(port: tcp.address()!.port!)
                socket.on(.connect) {
                    count += 1
                    socket.write("foo") { _ in socket.end("bar") }
                }
                socket.on(.finish) {
                    bytesWritten += socket.bytesWritten
                    trace.log("C finish bytesWritten \(socket.bytesWritten)")
                }
                socket.on(.close) { _ in
                    if count < 2 {
                        try! socket.connect(port: tcp.address()!.port!)
                    } else {
                        tcp.close()
                        trace.log("totals read \(bytesRead) written \(bytesWritten)")
                    }
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace.filter { $0.hasPrefix("S ") } == ["S end bytesRead 6", "S end bytesRead 6"])
        #expect(result.trace.filter { $0.hasPrefix("C ") } == ["C finish bytesWritten 6", "C finish bytesWritten 6"])
        #expect(result.trace.last == "totals read 12 written 12")
    }
}
