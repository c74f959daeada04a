// Node: test/parallel/test-net-connect-buffer.js
// Node: test/parallel/test-net-connect-buffer2.js
import Net
import NetTestSupport
import Testing

/// Writes made while connecting are queued: with `highWaterMark: 0` the first write returns false, the
/// socket stays `pending` and `'opening'` until connected, and `bytesWritten` counts bytes (not
/// characters) once, when queued. The write callback runs after the connect callback; the server
/// receives the whole text.
///
/// In Node v20 test-net-connect-buffer.js has the same content as test-net-connect-buffer2.js (the
/// older copy's invalid-chunk `write(null/true/1/[]/{})` checks are JavaScript type checks, n/a), so
/// this file ports both.
@Suite struct ConnectBufferTests {
    @Test func writesWhileConnectingAreQueuedAndCountedInBytes() {
        let result = LoopThread.run { _, trace in
            var tcp: Server!
            tcp = Net.createServer { s in
                tcp.close()
                var buf = ""
                s.setEncoding(.utf8)
                s.on(.data) { d in buf += d.toString() }
                s.on(.end) {
                    trace.log("S end \(buf)")
                    s.end()
                }
            }
            try! tcp.listen(port: 0) {
                let socket = try! Socket(.init(highWaterMark: 0))
                var connected = false
                trace.log("new: pending \(socket.pending)")
                try! socket.connect(port: tcp.address()!.port!) {
                    connected = true
                    trace.log("C connect callback")
                }
                trace.log("connecting: pending \(socket.pending) connecting \(socket.connecting) readyState \(socket.readyState)")

                // A string with a multi-byte character: bytesWritten counts bytes, not characters.
                let a = "L'État, c'est "
                let b = "moi"
                // Still connecting: the data waits in the connect queue; it must not be counted again
                // when the actual write happens.
                let r = socket.write(a) { _ in
                    trace.log("C write callback: connected \(connected) bytesWritten \(socket.bytesWritten) pending \(socket.pending)")
                }
                socket.on(.close) { _ in trace.log("C close: pending \(socket.pending)") }
                trace.log("write returned \(r) bytesWritten \(socket.bytesWritten)")
                socket.end(b)
                trace.log("after end: readyState \(socket.readyState)")
            }
        }
        let ab = Buffer("L'État, c'est moi").count
        let a = Buffer("L'État, c'est ").count
        #expect(result.finished)
        #expect(result.trace.filter { $0.hasPrefix("S ") } == ["S end L'État, c'est moi"])
        #expect(result.trace.filter { !$0.hasPrefix("S ") } == [
            "new: pending true",
            "connecting: pending true connecting true readyState opening",
            "write returned false bytesWritten \(a)",
            "after end: readyState opening",
            "C connect callback",
            "C write callback: connected true bytesWritten \(ab) pending false",
            "C close: pending true",
        ])
    }
}
