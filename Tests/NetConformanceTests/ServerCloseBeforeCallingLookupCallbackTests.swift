// Node: test/parallel/test-net-server-close-before-calling-lookup-callback.js
import Net
import NetTestSupport
import Testing

/// `listen(0, 'localhost', cb).close()`: the host lookup is still running when the server closes, so its
/// answer must be ignored: no handle is ever made, the callback never runs, and the loop ends (Node's
/// process exits). 'close' is emitted (as node v20.20.2 does here; the Node test does not look at it).
@Suite struct ServerCloseBeforeCallingLookupCallbackTests {
    @Test func closeDuringTheListenLookupNeverListens() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer()
            server.on(.close) { trace.log("close") }
            server.on(.error) { e in trace.log("error (must not happen) \(e)") }
            do {
                try server.listen(port: 0, host: "localhost") { trace.log("listening (must not happen)") }.close()
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == ["close"])
    }
}
