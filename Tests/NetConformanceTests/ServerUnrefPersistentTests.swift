// Node: test/parallel/test-net-server-unref-persistent.js
import Net
import NetTestSupport
import Testing

/// `unref()` before `listen()` persists: the listening server does not hold the loop open, so it returns
/// before an unref'd 1 s timer fires (which would mean the unref was lost).
@Suite struct ServerUnrefPersistentTests {
    @Test func unrefBeforeListenIsKept() {
        let result = LoopThread.run(timeout: 10) { loop, trace in
            let server = Net.createServer()
            // Unref before listening.
            server.unref()
            // Not in Node's test: shows the server did listen.
            try! server.listen { trace.log("listening") }
            loop.setTimeout(1000) { trace.log("timer fired: the server held the loop open") }.unref()
        }
        #expect(result.finished)
        #expect(result.seconds < 1)
        #expect(result.trace == ["listening"])
    }
}
