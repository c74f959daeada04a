// Node: test/parallel/test-net-write-fully-async-hex-string.js
import Net
import NetTestSupport
import Testing

/// 20 rounds of writing a 2 M-character hex string (`encoding: .hex`, 1 MB of bytes) until `write()`
/// reports backpressure, each round started by 'drain', then `destroy()` (nodejs/node#8251: the bytes
/// decoded inside `write()` must stay alive until written).
///
/// n/a: the forced minor GC (`--expose-gc`); AddressSanitizer checks the bytes' lifetime here.
@Suite struct WriteFullyAsyncHexStringTests {
    @Test func drainLoopWithHexStrings() {
        let result = LoopThread.run { _, trace in
            let data = Buffer.alloc(1_000_000).toString(.hex)
            var server: Server!
            server = Net.createServer { conn in
                conn.resume()
                conn.on(.error) { e in trace.log("S error \(e.code)") }
                conn.on(.close) { _ in trace.log("S close") }
            }
            try! server.listen(port: 0) {
                var conn: Socket!
                conn = try! Net.createConnection(port: server.address()!.port!) {
                    var count = 0
                    func writeLoop() {
                        if count == 20 {
                            count += 1
                            trace.log("C rounds done")
                            conn.destroy()
                            server.close()
                            return
                        }
                        count += 1
                        while conn.write(data, encoding: .hex) {}
                    }
                    conn.on(.drain) { writeLoop() }
                    conn.on(.close) { hadError in trace.log("C close \(hadError)") }
                    writeLoop()
                }
            }
        }
        #expect(result.finished)
        #expect(Array(result.trace.prefix(2)) == ["C rounds done", "C close false"])
        #expect(result.trace.filter { $0.hasPrefix("S close") }.count == 1)
    }
}
