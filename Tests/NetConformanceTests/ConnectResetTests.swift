// Node: test/parallel/test-net-connect-reset.js
import Net
import NetTestSupport
import Testing

/// `resetAndDestroy()` on a socket that is neither connecting nor connected (no handle) destroys it with
/// `ERR_SOCKET_CLOSED` "Socket is closed" (name `Error`): one 'error', then 'close'. It returns the socket,
/// which is destroyed at once. (The v20 test; node v20.20.2 on this machine also emits 'close' with no
/// argument, `false` in Swift.)
@Suite struct ConnectResetTests {
    @Test func resetWithoutAHandleEmitsSocketClosed() {
        let r = LoopThread.run { _, trace in
            let socket = Socket()
            do {
                let returned = try socket.resetAndDestroy()
                trace.log("returns the socket: \(returned === socket) destroyed: \(socket.destroyed)")
            } catch { trace.log("resetAndDestroy threw \(error)") }
            // Emit 'error' if the socket is not connecting or connected.
            socket.on(.error) { e in trace.log("error \(e.name) \(e.code): \(e.message)") }
            socket.on(.close) { hadError in trace.log("close \(hadError)") }
        }
        #expect(r.finished)
        #expect(r.trace == [
            "returns the socket: true destroyed: true",
            "error Error ERR_SOCKET_CLOSED: Socket is closed",
            "close false",
        ])
    }
}
