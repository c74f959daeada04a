// Node: test/parallel/test-net-listening.js
import Net
import NetTestSupport
import Testing

/// `server.listening`: false before `listen`, true in the listen callback, false in the close callback.
/// Node listens on common.PORT; the port uses 0.
@Suite struct ListeningTests {
    @Test func listeningFollowsListenAndClose() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer()
            trace.log("before listen: \(server.listening)")
            do {
                try server.listen(port: 0) {
                    trace.log("in listen cb: \(server.listening)")
                    server.close { _ in trace.log("in close cb: \(server.listening)") }
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == ["before listen: false", "in listen cb: true", "in close cb: false"])
    }
}
