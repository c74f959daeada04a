// Node: test/parallel/test-pipe-address.js
import Net
import NetTestSupport
import Testing

/// A server listening on a Unix socket path reports that path as its `address()` (a string in Node,
/// `.path` here); no connection is made.
@Suite struct PipeAddressTests {
    @Test func addressIsThePath() {
        let pipe = Pipes.path("address")
        defer { Pipes.remove(pipe) }
        let result = LoopThread.run { _, trace in
            let server = Net.createServer { _ in trace.log("connection") }
            do {
                try server.listen(path: pipe) {
                    trace.log("address is the path: \(server.address() == .path(pipe))")
                    server.close()
                }
            } catch { trace.log("threw \(error)") }
        }
        #expect(result.finished)
        #expect(result.trace == ["address is the path: true"])
    }
}
