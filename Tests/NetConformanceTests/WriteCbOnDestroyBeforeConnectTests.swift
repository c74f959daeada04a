// Node: test/parallel/test-net-write-cb-on-destroy-before-connect.js
import Net
import NetTestSupport
import Testing

/// A write made while connecting, then `destroy()` before the connection exists: no 'connect', and the
/// write callback gets `ERR_SOCKET_CLOSED_BEFORE_CONNECTION` (name `Error`). The callback runs after
/// 'close', as node v20.20.2 shows; the Node test checks only the callback.
@Suite struct WriteCbOnDestroyBeforeConnectTests {
    @Test func pendingWriteCallsBackClosedBeforeConnection() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer()
            do {
                try server.listen(port: 0) {
                    guard let port = server.address()?.port else { return }
                    let socket = Socket()
                    socket.on(.connect) { trace.log("connect (must not happen)") }
                    socket.on(.close) { hadError in trace.log("close \(hadError)") }
                    do {
                        try socket.connect(ConnectOptions(port: port))
                    } catch { trace.log("connect threw \(error)") }
                    trace.log("connecting \(socket.connecting)")
                    socket.write("foo") { err in
                        trace.log("write cb \(err?.name ?? "nil") \(err?.code ?? "nil"): \(err?.message ?? "")")
                    }
                    socket.destroy()
                    server.close()
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == [
            "connecting true",
            "close false",
            "write cb Error ERR_SOCKET_CLOSED_BEFORE_CONNECTION: Socket closed before the connection was established",
        ])
    }
}
