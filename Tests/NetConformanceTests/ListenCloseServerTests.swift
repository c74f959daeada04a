// Node: test/parallel/test-net-listen-close-server.js
import Net
import NetTestSupport
import Testing

/// `listen(0, cb)` then `close()` synchronously: no 'listening' (the callback never runs), no 'error', and
/// the loop ends (Node's process exits).
@Suite struct ListenCloseServerTests {
    @Test func closeBeforeListeningEmitsNeitherListeningNorError() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer { _ in }
            do {
                try server.listen(port: 0) { trace.log("listening (must not happen)") }
            } catch { trace.log("listen threw \(error)") }
            server.on(.error) { e in trace.log("error (must not happen) \(e)") }
            server.close()
        }
        #expect(r.finished)
        #expect(r.trace == [])
    }
}
