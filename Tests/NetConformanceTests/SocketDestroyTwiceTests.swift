// Node: test/parallel/test-net-socket-destroy-twice.js
import Net
import NetTestSupport
import Testing

/// A connection refused (the server closed before it was tried) whose 'error' listener calls `destroy()`
/// again: one 'error', one 'close'.
@Suite struct SocketDestroyTwiceTests {
    @Test func destroyInsideErrorIsANoOp() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer()
            do {
                try server.listen(port: 0)
                guard let port = server.address()?.port else { return trace.log("no address right after listen(0)") }
                let conn = try Net.createConnection(port: port)
                conn.on(.error) { e in
                    trace.log("error \(e.code)")
                    conn.destroy()
                }
                conn.on(.close) { hadError in trace.log("close \(hadError)") }
                server.close()
            } catch { trace.log("threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == ["error ECONNREFUSED", "close true"])
    }
}
