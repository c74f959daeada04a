// Node: test/parallel/test-net-sync-cork.js
import Net
import NetTestSupport
import Testing

/// 100 rounds of `cork()`, two 2-byte writes, `uncork()` on a connected socket never report
/// backpressure: every second write returns true. The server sees no error and closes.
@Suite struct SyncCorkTests {
    static let n = 100

    @Test func corkWriteUncorkLoopStaysUnderTheHighWaterMark() {
        let result = LoopThread.run { _, trace in
            let buf = Buffer.alloc(2, fill: UInt8(ascii: "a"))
            var server: Server!
            server = Net.createServer { socket in
                socket.resume()
                socket.on(.error) { e in trace.log("S error \(e)") }
                socket.on(.close) { _ in
                    trace.log("S close")
                    server.close()
                }
            }
            try! server.listen(port: 0) {
                let conn = try! Net.connect(port: server.address()!.port!)
                conn.on(.connect) {
                    var res = true
                    var i = 0
                    while i < Self.n && res {
                        conn.cork()
                        conn.write(buf)
                        res = conn.write(buf)
                        conn.uncork()
                        i += 1
                    }
                    trace.log("C rounds \(i)")
                    conn.end()
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["C rounds \(Self.n)", "S close"])
    }
}
