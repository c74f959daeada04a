import Foundation
import Net
import NetTestSupport
import Testing

/// `LoopBound`: a loop object carried through `execute`'s `@Sendable` closure from another thread.
@Suite struct LoopBoundTests {
    @Test func carriesAServerThroughExecuteFromAnotherThread() {
        let result = LoopThread.run { loop, trace in
            let server = Net.createServer { _ in }
            server.on(.close) { trace.log("server closed") }
            do {
                try server.listen(port: 0, host: "127.0.0.1") { trace.log("listening") }
            } catch {
                trace.log("listen failed: \(error)")
            }
            let bound = LoopBound(server)
            #expect(bound.loop === loop)
            Thread {
                usleep(20_000)
                loop.execute {
                    trace.log("on loop: \(bound.loop.inEventLoop)")
                    bound.value.close()
                }
            }.start()
        }
        #expect(result.finished)
        #expect(result.trace == ["listening", "on loop: true", "server closed"])
    }
}
