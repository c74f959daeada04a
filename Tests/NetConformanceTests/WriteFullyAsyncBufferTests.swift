// Node: test/parallel/test-net-write-fully-async-buffer.js
import Net
import NetTestSupport
import Testing

/// 200 rounds of writing fresh 1 MB Buffers until `write()` reports backpressure, each round started by
/// 'drain': every queued write keeps its bytes alive until written, and the connection ends cleanly.
///
/// n/a: the forced minor GC (`--expose-gc`, `gc({type: 'minor'})`); the write request owning its bytes
/// is what it checks, and AddressSanitizer checks that here.
@Suite struct WriteFullyAsyncBufferTests {
    @Test func drainLoopWithOneMegabyteBuffers() {
        let result = LoopThread.run { _, trace in
            let data = Buffer.alloc(1_000_000)
            var server: Server!
            server = Net.createServer { conn in
                conn.resume()
                conn.on(.end) { trace.log("S end, read \(conn.bytesRead)") }
            }
            try! server.listen(port: 0) {
                var conn: Socket!
                conn = try! Net.createConnection(port: server.address()!.port!) {
                    var count = 0
                    var written = 0
                    func writeLoop() {
                        if count == 200 {
                            count += 1
                            trace.log("C rounds done, wrote \(written)")
                            conn.end()
                            server.close()
                            return
                        }
                        count += 1
                        while conn.write(Buffer(data.bytes)) { written += data.count }
                        written += data.count
                    }
                    conn.on(.drain) { writeLoop() }
                    writeLoop()
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace.count == 2)
        let wrote = result.trace.first { $0.hasPrefix("C rounds done") }?.split(separator: " ").last
        #expect(wrote != nil)
        #expect(result.trace.contains("S end, read \(wrote ?? "?")"))
    }
}
