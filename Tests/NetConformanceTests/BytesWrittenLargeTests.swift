// Node: test/parallel/test-net-bytes-written-large.js
import Net
import NetTestSupport
import Testing

/// Writing first pushes through as much as the kernel takes without blocking and queues the rest;
/// `bytesWritten` counts both parts at once (nodejs/node#19562): 10 MB written as a Buffer, as a string,
/// and as a corked string + Buffer (one writev) are counted in full right after the call and in the
/// callback, and the client reads all of it.
@Suite struct BytesWrittenLargeTests {
    static let n = 10_000_000

    /// Runs one variant: `serve` writes on the accepted socket and logs what it checks.
    static func run(expectedRead: Int, _ serve: @escaping @Sendable (Socket, Trace) -> Void) -> LoopThread.Result {
        LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { socket in
                trace.log("S connection")
                serve(socket, trace)
            }
            try! server.listen(port: 0) {
                let client = try! Net.connect(port: server.address()!.port!)
                client.resume()
                client.on(.close) { _ in
                    trace.log("C close bytesRead \(client.bytesRead == expectedRead)")
                    server.close()
                }
            }
        }
    }

    @Test func buffer() {
        let result = Self.run(expectedRead: Self.n) { socket, trace in
            socket.end(Buffer.alloc(Self.n)) { _ in trace.log("end callback bytesWritten \(socket.bytesWritten)") }
            trace.log("after end bytesWritten \(socket.bytesWritten)")
        }
        #expect(result.finished)
        #expect(result.trace == [
            "S connection",
            "after end bytesWritten \(Self.n)",
            "end callback bytesWritten \(Self.n)",
            "C close bytesRead true",
        ])
    }

    @Test func string() {
        let result = Self.run(expectedRead: Self.n) { socket, trace in
            socket.end(String(repeating: "a", count: Self.n)) { _ in
                trace.log("end callback bytesWritten \(socket.bytesWritten)")
            }
            trace.log("after end bytesWritten \(socket.bytesWritten)")
        }
        #expect(result.finished)
        #expect(result.trace == [
            "S connection",
            "after end bytesWritten \(Self.n)",
            "end callback bytesWritten \(Self.n)",
            "C close bytesRead true",
        ])
    }

    @Test func writevWithMixedData() {
        let result = Self.run(expectedRead: 2 * Self.n) { socket, trace in
            socket.cork()
            socket.write(String(repeating: "a", count: Self.n))
            trace.log("after string bytesWritten \(socket.bytesWritten)")
            socket.write(Buffer.alloc(Self.n))
            trace.log("after buffer bytesWritten \(socket.bytesWritten)")
            socket.end("") { _ in trace.log("end callback bytesWritten \(socket.bytesWritten)") }
            socket.uncork()
        }
        #expect(result.finished)
        #expect(result.trace == [
            "S connection",
            "after string bytesWritten \(Self.n)",
            "after buffer bytesWritten \(2 * Self.n)",
            "end callback bytesWritten \(2 * Self.n)",
            "C close bytesRead true",
        ])
    }
}
