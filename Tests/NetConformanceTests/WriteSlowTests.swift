// Node: test/parallel/test-net-write-slow.js
import Net
import NetTestSupport
import Testing

/// The server queues ten 200 KB writes and ends; the client pauses for 20 ms after every chunk. Every
/// write callback runs and all 2 MB arrive.
///
/// Not ported: the server socket's `setTimeout(1000)`, whose 'timeout' fails Node's test if the writes
/// stall (socket timeouts are issue 5); here the callbacks are counted instead, and the LoopThread
/// watchdog fails a stalled run.
@Suite struct WriteSlowTests {
    static let size = 200_000
    static let n = 10

    @Test func slowReaderGetsEverythingAndEveryCallbackRuns() {
        let result = LoopThread.run { _, trace in
            var flushed = 0
            var received = 0
            let buf = Buffer.alloc(Self.size, fill: UInt8(ascii: "a"))
            var server: Server!
            server = Net.createServer { socket in
                socket.setNoDelay()
                for _ in 0..<Self.n {
                    socket.write(buf) { _ in flushed += 1 }
                }
                socket.end()
            }
            try! server.listen(port: 0) {
                let conn = try! Net.connect(port: server.address()!.port!)
                conn.on(.data) { buf in
                    received += buf.count
                    conn.pause()
                    setTimeout(20) { conn.resume() }
                }
                conn.on(.end) {
                    server.close()
                    trace.log("end: received \(received) flushed \(flushed)")
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["end: received \(Self.size * Self.n) flushed \(Self.n)"])
    }
}
