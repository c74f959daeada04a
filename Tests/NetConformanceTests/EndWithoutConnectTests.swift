// Node: test/parallel/test-net-end-without-connect.js
import Net
import NetTestSupport
import Testing

/// `end()` on a socket that never connected does not throw (in Swift it cannot: `end` is not `throws`).
/// Beyond Node's test, what node v20.20.2 does here is checked too: nothing is emitted (no 'finish': the
/// socket is pending, so its shutdown waits for a 'connect' that never comes), the end callback does not
/// run, and nothing keeps the loop alive.
@Suite struct EndWithoutConnectTests {
    @Test func endOnANeverConnectedSocket() {
        let result = LoopThread.run { _, trace in
            let sock = Socket()
            sock.on(.prefinish) { trace.log("prefinish") }
            sock.on(.finish) { trace.log("finish") }
            sock.on(.end) { trace.log("end") }
            sock.on(.close) { _ in trace.log("close") }
            sock.on(.error) { e in trace.log("error \(e.code)") }
            sock.end { _ in trace.log("end callback") }
            trace.log("writableEnded \(sock.writableEnded) pending \(sock.pending) readyState \(sock.readyState)")
            setImmediate {
                trace.log("immediate")
                // Node's garbage collector frees the forgotten socket; here its pending end() holds it, so
                // destroy it once the check is done.
                sock.destroy()
            }
        }
        #expect(result.finished)
        // Everything before the immediate (where the test destroys the socket): nothing was emitted.
        #expect(Array(result.trace.prefix { $0 != "immediate" }) == ["writableEnded true pending true readyState readOnly"])
        #expect(result.trace.contains("immediate"))
    }
}
