// Node: test/parallel/test-net-connect-destroy.js
import Net
import NetTestSupport
import Testing

/// `destroy()` of a `Socket` that never connected emits 'close' once. (Node passes no argument; Net's
/// 'close' carries `hadError`, false here.)
@Suite struct ConnectDestroyTests {
    @Test func destroyOfAnUnconnectedSocketEmitsClose() {
        let r = LoopThread.run { _, trace in
            let socket = Socket()
            socket.on(.close) { hadError in trace.log("close \(hadError)") }
            socket.destroy()
        }
        #expect(r.finished)
        #expect(r.trace == ["close false"])
    }
}
