// Node: test/parallel/test-net-socket-reset-twice.js
import Net
import NetTestSupport
import Testing

/// A connection to a port whose server has closed fails (ECONNREFUSED); calling `resetAndDestroy()` inside
/// that 'error' (the socket is already destroyed and has no handle) emits nothing more: one 'error', one
/// 'close'. (The v20 test, checked with node v20.20.2: 'error' ECONNREFUSED, then 'close' true.)
@Suite struct SocketResetTwiceTests {
    @Test func resetInsideErrorClosesOnce() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer()
            do {
                try server.listen(port: 0)
                guard let port = server.address()?.port else {
                    trace.log("no address")
                    return
                }
                let conn = try Net.createConnection(port: port)
                conn.on(.error) { e in
                    trace.log("error \(e.code)")
                    do {
                        let returned = try conn.resetAndDestroy()
                        trace.log("resetAndDestroy returns the socket: \(returned === conn)")
                    } catch { trace.log("resetAndDestroy threw \(error)") }
                }
                conn.on(.close) { hadError in trace.log("close \(hadError)") }
                server.close()
            } catch { trace.log("threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == ["error ECONNREFUSED", "resetAndDestroy returns the socket: true", "close true"])
    }
}
