// Node: test/parallel/test-net-connect-reset-before-connected.js
import Net
import NetTestSupport
import Testing

/// Synchronously: listen, connect to 127.0.0.1, close the server, `resetAndDestroy()` (which, while
/// connecting, waits for the connection to send its RST), then `destroy()`. The connection never completes
/// (no connect callback) and no 'error' is emitted; the process (here, the loop) ends.
@Suite struct ConnectResetBeforeConnectedTests {
    @Test func resetWhileConnectingThenDestroy() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer()
            do {
                try server.listen(port: 0)
                guard let port = server.address()?.port else {
                    trace.log("no address")
                    return
                }
                let socket = try Net.connect(port: port, host: "127.0.0.1") { trace.log("connect (must not happen)") }
                socket.on(.error) { e in trace.log("error (must not happen) \(e)") }
                socket.on(.close) { _ in trace.log("close") }
                server.close()
                try socket.resetAndDestroy()
                // `reset` waits for the connection to send the RST packet.
                socket.destroy()
            } catch { trace.log("threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == ["close"])
    }
}
