// Node: test/parallel/test-net-write-connect-write.js
import Net
import NetTestSupport
import Testing

/// A write queued while connecting and a write made in 'connect' reach an echo server in order.
@Suite struct WriteConnectWriteTests {
    @Test func writesBeforeAndAfterConnectArriveInOrder() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { socket in socket.pipe(socket) }
            try! server.listen(port: 0) {
                let conn = try! Net.connect(port: server.address()!.port!)
                var received = ""
                conn.setEncoding(.utf8)
                conn.write("before")
                conn.on(.connect) { conn.write("after") }
                conn.on(.data) { buf in
                    received += buf.toString()
                    conn.end()
                }
                conn.on(.end) {
                    server.close()
                    trace.log("end: received \(received)")
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["end: received beforeafter"])
    }
}
