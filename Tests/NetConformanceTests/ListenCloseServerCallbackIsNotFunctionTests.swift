// Node: test/parallel/test-net-listen-close-server-callback-is-not-function.js
import Net
import NetTestSupport
import Testing

/// `listen(0, cb)` then `close()` at once: the server still emits 'close' (once), and neither the listen
/// callback nor the connection listener runs.
/// Dropped: the argument itself, `close('bad argument')` (a non-function callback that Node ignores):
/// `close` takes an optional closure in Swift, so the port calls `close()`.
@Suite struct ListenCloseServerCallbackIsNotFunctionTests {
    @Test func closeRightAfterListenStillEmitsClose() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer { _ in trace.log("connection (must not happen)") }
            server.on(.close) { trace.log("close") }
            do {
                try server.listen(port: 0) { trace.log("listening (must not happen)") }
            } catch { trace.log("listen threw \(error)") }
            server.close()
        }
        #expect(r.finished)
        #expect(r.trace == ["close"])
    }
}
