// Node: test/parallel/test-net-buffersize.js
import Net
import NetTestSupport
import Testing

/// `bufferSize` counts writes queued while the socket connects (1, 2, … 9 after each one-byte write)
/// and is 0 again at 'finish'. The server drains with 'readable' and `read()`.
@Suite struct BuffersizeTests {
    static let iter = 10

    @Test func bufferSizeCountsQueuedWrites() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { socket in
                socket.on(.readable) { _ = socket.read() }
                socket.on(.end) { server.close() }
            }
            try! server.listen(port: 0) {
                let client = try! Net.connect(port: server.address()!.port!)
                client.on(.finish) { trace.log("finish bufferSize \(client.bufferSize)") }
                for i in 1..<Self.iter {
                    client.write("a")
                    trace.log("write \(i) bufferSize \(client.bufferSize)")
                }
                client.end()
            }
        }
        #expect(result.finished)
        #expect(result.trace == (1..<Self.iter).map { "write \($0) bufferSize \($0)" } + ["finish bufferSize 0"])
    }
}
