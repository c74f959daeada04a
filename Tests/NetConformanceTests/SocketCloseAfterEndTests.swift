// Node: test/parallel/test-net-socket-close-after-end.js
import Net
import NetTestSupport
import Testing

/// A server socket that ends its own side at once but reads the peer's data only 100 ms later emits
/// 'close' only after 'end': it is not destroyed while unread data (and the peer's FIN) wait in its buffer.
@Suite struct SocketCloseAfterEndTests {
    @Test func closeComesAfterEndWhenReadsAreDelayed() {
        let result = LoopThread.run { _, trace in
            let server = Net.createServer()
            server.on(.connection) { socket in
                trace.log("S connection")
                var endEmitted = false
                socket.once(.readable) {
                    setTimeout(100) { _ = socket.read() }
                }
                socket.on(.end) { endEmitted = true }
                socket.on(.close) { _ in
                    trace.log("S close: end emitted \(endEmitted)")
                    server.close()
                }
                socket.end("foo")
            }
            try! server.listen {
                var socket: Socket!
                socket = try! Net.createConnection(port: server.address()!.port!) {
                    socket.end("foo")
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["S connection", "S close: end emitted true"])
    }
}
