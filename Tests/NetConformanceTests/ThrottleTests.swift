// Node: test/parallel/test-net-throttle.js
import Net
import NetTestSupport
import Testing

/// The server writes 1 KiB strings until `write()` reports backpressure, then two more, and ends; the
/// client pauses for 100 ms at the first chunk of every burst and must see no 'data' while paused. All
/// the data arrives, over more than one pause.
///
/// Takes about as long as under node (≈ 6 s here): the kernel takes ≈ 4 MB before `write()` returns false,
/// and the client reads one 64 KiB chunk per 100 ms pause.
@Suite struct ThrottleTests {
    @Test func backpressureThenLosslessPauseAndResume() {
        let result = LoopThread.run { _, trace in
            var charsReceived = 0
            var npauses = 0
            var totalLength = 0
            var server: Server!
            server = Net.createServer { connection in
                trace.log("S connection")
                let body = String(repeating: "C", count: 1024)
                var n = 1
                while connection.write(body) { n += 1 }
                // Throttled now: a few more writes must not lose data.
                connection.write(body)
                connection.write(body)
                n += 2
                totalLength = n * body.utf16.count
                trace.log("S bufferSize >= 0: \(connection.bufferSize >= 0)")
                trace.log("S writableLength <= total: \(connection.writableLength <= totalLength)")
                connection.end()
            }
            try! server.listen(port: 0) {
                var paused = false
                let client = try! Net.createConnection(port: server.address()!.port!)
                client.setEncoding(.ascii)
                client.on(.data) { d in
                    charsReceived += d.toString().utf16.count
                    if !paused {
                        client.pause()
                        npauses += 1
                        trace.log("C pause")
                        paused = true
                        let x = charsReceived
                        setTimeout(100) {
                            trace.log("C timer")
                            if charsReceived != x { trace.log("C data while paused: \(charsReceived) != \(x)") }
                            client.resume()
                            paused = false
                        }
                    }
                }
                client.on(.end) {
                    server.close()
                    client.end()
                }
                client.on(.close) { _ in
                    trace.log("C close: received all \(charsReceived == totalLength) (\(charsReceived) of \(totalLength))")
                    trace.log("C more than one pause \(npauses > 1)")
                }
            }
        }
        #expect(result.finished)
        let trace = result.trace.filter { $0 != "C pause" && $0 != "C timer" }
        #expect(trace.count == 5)
        #expect(Array(trace.prefix(3)) == ["S connection", "S bufferSize >= 0: true", "S writableLength <= total: true"])
        #expect(trace.dropFirst(3).first?.hasPrefix("C close: received all true") == true)
        #expect(trace.last == "C more than one pause true")
        // Every pause's timer ran (Node's mustCall on it); the last one may run after 'close': 'end' can
        // come while paused, once the last chunk has been read.
        #expect(result.trace.filter { $0 == "C timer" }.count == result.trace.filter { $0 == "C pause" }.count)
    }
}
