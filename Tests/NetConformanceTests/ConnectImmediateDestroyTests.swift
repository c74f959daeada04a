// Node: test/parallel/test-net-connect-immediate-destroy.js
import Net
import NetTestSupport
import Testing

/// `listen(0)` is bound synchronously (its port is known at once); `connect(port, '127.0.0.1', cb)`, then
/// `server.close()` and `socket.destroy()` in the same tick: no 'connect', no 'error'.
/// The single 'close' (false) is what node v20.20.2 emits here; the Node test does not look at it.
@Suite struct ConnectImmediateDestroyTests {
    @Test func destroyRightAfterConnect() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer()
            do {
                try server.listen(port: 0)
                guard let port = server.address()?.port else { return trace.log("no address right after listen(0)") }
                let socket = try Net.connect(port: port, host: "127.0.0.1") { trace.log("connect (must not happen)") }
                socket.on(.error) { e in trace.log("error (must not happen) \(e)") }
                socket.on(.close) { hadError in trace.log("close \(hadError)") }
                server.close()
                socket.destroy()
            } catch { trace.log("threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == ["close false"])
    }
}
