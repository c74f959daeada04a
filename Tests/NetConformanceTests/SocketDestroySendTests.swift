// Node: test/parallel/test-net-socket-destroy-send.js
import Net
import NetTestSupport
import Testing

/// In 'connect': `destroy()` returns the socket, also when a second call short-circuits; a `write` after it
/// calls back `ERR_STREAM_DESTROYED` "Cannot call write after a stream was destroyed" and emits no 'error'.
/// (The v20 test and node v20.20.2; older copies expected ERR_SOCKET_CLOSED and an 'error'.)
@Suite struct SocketDestroySendTests {
    @Test func writeAfterDestroyCallsBackStreamDestroyed() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer()
            do {
                try server.listen(port: 0) {
                    guard let port = server.address()?.port else { return }
                    do {
                        let conn = try Net.createConnection(port: port)
                        conn.on(.connect) {
                            trace.log("destroy().destroy() returns the socket: \(conn.destroy().destroy() === conn)")
                            conn.on(.error) { e in trace.log("error (must not happen) \(e)") }
                            conn.write(Buffer("kaboom")) { err in
                                trace.log("write cb \(err?.name ?? "nil") \(err?.code ?? "nil"): \(err?.message ?? "")")
                            }
                            server.close()
                        }
                    } catch { trace.log("connect threw \(error)") }
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == [
            "destroy().destroy() returns the socket: true",
            "write cb Error ERR_STREAM_DESTROYED: Cannot call write after a stream was destroyed",
        ])
    }
}
