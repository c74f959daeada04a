// Node: test/parallel/test-net-end-close.js
import Net
import NetTestSupport
import Testing

/// A read-only socket (`writable: false`) whose handle reports end of stream emits 'end' and then 'close',
/// and `resume()` returns the socket.
///
/// Node builds the socket on a fake JavaScript handle (`readStart` answers `UV_EOF`, `close` calls back
/// from an immediate); internal handles have no Swift counterpart, so the port uses a real connection
/// whose peer ends at once. The same ordering holds in node v20.20.2 with a real peer (checked:
/// `'end'`, then `'close' false`).
@Suite struct EndCloseTests {
    @Test func endThenCloseOnAReadOnlySocket() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { connection in
                connection.end()
                server.close()
            }
            try! server.listen(port: 0) {
                let s = try! Socket(.init(writable: false))
                trace.log("resume returns the socket: \(s.resume() === s)")
                s.on(.end) { trace.log("end") }
                s.on(.close) { _ in trace.log("close") }
                try! s.connect(port: server.address()!.port!)
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["resume returns the socket: true", "end", "close"])
    }
}
