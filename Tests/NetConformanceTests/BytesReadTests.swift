// Node: test/parallel/test-net-bytes-read.js
import Net
import NetTestSupport
import Testing

/// `bytesRead` has grown at every 'data' event, equals the whole 1 MiB at 'end', and keeps that value at
/// 'close', when the socket no longer has a handle (Node asserts `!socket._handle`: here, `pending`).
@Suite struct BytesReadTests {
    static let size = 1024 * 1024

    @Test func bytesReadGrowsPerChunkAndSurvivesClose() {
        let result = LoopThread.run { _, trace in
            let big = Buffer.alloc(Self.size)
            var server: Server!
            server = Net.createServer { socket in
                socket.end(big)
                server.close()
            }
            try! server.listen(port: 0) {
                var prev = 0
                var socket: Socket!
                socket = try! Net.connect(port: server.address()!.port!) {
                    socket.on(.data) { _ in
                        if socket.bytesRead <= prev { trace.log("bytesRead did not grow: \(socket.bytesRead) after \(prev)") }
                        prev = socket.bytesRead
                    }
                    socket.on(.end) {
                        trace.log("end: bytesRead \(socket.bytesRead) prev \(prev)")
                    }
                    socket.on(.close) { _ in
                        trace.log("close: pending \(socket.pending) bytesRead \(socket.bytesRead) prev \(prev)")
                    }
                }
                socket.end()
            }
        }
        #expect(result.finished)
        #expect(result.trace == [
            "end: bytesRead \(Self.size) prev \(Self.size)",
            "close: pending true bytesRead \(Self.size) prev \(Self.size)",
        ])
    }
}
