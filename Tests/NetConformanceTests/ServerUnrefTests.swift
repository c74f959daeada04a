// Node: test/parallel/test-net-server-unref.js
import Net
import NetTestSupport
import Testing

/// A listening server that is then unref'd lets the process exit: the loop returns before an unref'd
/// 1 s timer fires.
@Suite struct ServerUnrefTests {
    @Test func unrefAfterListenLetsTheLoopEnd() {
        let result = LoopThread.run(timeout: 10) { loop, trace in
            let s = Net.createServer()
            // Not in Node's test: shows the server did listen.
            try! s.listen(port: 0) { trace.log("listening") }
            s.unref()
            loop.setTimeout(1000) { trace.log("timer fired: the server held the loop open") }.unref()
        }
        #expect(result.finished)
        #expect(result.seconds < 1)
        #expect(result.trace == ["listening"])
    }
}
