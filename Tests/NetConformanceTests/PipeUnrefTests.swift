// Node: test/parallel/test-pipe-unref.js
import Net
import NetTestSupport
import Testing

/// A server listening on a Unix socket, then unref'd, lets the process exit: the loop returns before an
/// unref'd 1 s timer (Node's `common.fail`) fires. The process exit is `run()` returning.
@Suite struct PipeUnrefTests {
    @Test func unrefdPipeServerLetsTheLoopEnd() {
        let pipe = Pipes.path("unref")
        defer { Pipes.remove(pipe) }
        let result = LoopThread.run(timeout: 10) { loop, trace in
            let s = Net.createServer()
            do {
                // The listening callback is not in Node's test: it shows the server did listen.
                try s.listen(path: pipe) { trace.log("listening") }
            } catch { trace.log("threw \(error)") }
            s.unref()
            loop.setTimeout(1000) { trace.log("timer fired: the server held the loop open") }.unref()
        }
        #expect(result.finished)
        #expect(result.seconds < 1)
        #expect(result.trace == ["listening"])
    }
}
