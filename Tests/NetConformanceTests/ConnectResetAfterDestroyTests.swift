// Node: test/parallel/test-net-connect-reset-after-destroy.js
import Net
import NetTestSupport
import Testing

/// In 'connect': `resetAndDestroy().destroy()` returns the socket; a `write` after it calls back
/// `ERR_STREAM_DESTROYED` "Cannot call write after a stream was destroyed" (name `Error`) and no 'error' is
/// emitted. The peer's socket gets `ECONNRESET` "read ECONNRESET" (name `Error`).
@Suite struct ConnectResetAfterDestroyTests {
    @Test func resetThenDestroyThenWrite() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer()
            do {
                try server.listen(port: 0) {
                    guard let port = server.address()?.port else { return }
                    do {
                        let conn = try Net.createConnection(port: port)
                        server.on(.connection) { socket in
                            socket.on(.error) { e in trace.log("server socket error \(e.name) \(e.code): \(e.message)") }
                        }
                        conn.on(.connect) {
                            do {
                                trace.log("resetAndDestroy().destroy() returns the socket: \(try conn.resetAndDestroy().destroy() === conn)")
                            } catch { trace.log("resetAndDestroy threw \(error)") }
                            conn.on(.error) { e in trace.log("client error (must not happen) \(e)") }
                            conn.write(Buffer("fzfzfzfzfz")) { err in
                                trace.log("write cb \(err?.name ?? "nil") \(err?.code ?? "nil"): \(err?.message ?? "")")
                            }
                            server.close()
                        }
                    } catch { trace.log("connect threw \(error)") }
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace.count == 3)
        #expect(r.trace.first == "resetAndDestroy().destroy() returns the socket: true")
        #expect(r.trace.contains("write cb Error ERR_STREAM_DESTROYED: Cannot call write after a stream was destroyed"))
        #expect(r.trace.contains("server socket error Error ECONNRESET: read ECONNRESET"))
    }
}
