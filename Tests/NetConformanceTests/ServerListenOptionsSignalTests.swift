// Node: test/parallel/test-net-server-listen-options-signal.js
import Net
import NetTestSupport
import Testing

/// `listen({port: 0, signal})` closes the server when the signal aborts ('close' once), and right away
/// (on the next tick) when the signal had already aborted.
///
/// Dropped: the bad-signal case (`signal: 'INVALID_SIGNAL'` → ERR_INVALID_ARG_TYPE): the option is an
/// `AbortSignal?`, so a wrong type cannot be passed.
@Suite struct ServerListenOptionsSignalTests {
    @Test func abortClosesTheServer() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer()
            let controller = AbortController()
            server.on(.close) { trace.log("close") }
            do {
                try server.listen(Server.ListenOptions(port: 0, signal: controller.signal))
            } catch { trace.log("listen threw \(error)") }
            controller.abort()
        }
        #expect(r.finished)
        #expect(r.trace == ["close"])
    }

    @Test func aPreAbortedSignalClosesTheServer() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer()
            let signal = AbortSignal.abort()
            server.on(.close) { trace.log("close") }
            do {
                try server.listen(Server.ListenOptions(port: 0, signal: signal))
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == ["close"])
    }
}
