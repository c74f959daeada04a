// Node: test/parallel/test-net-persistent-ref-unref.js
@testable import Net
import NetTestSupport
import Testing

/// `unref()` then `ref()` on a socket before `connect()` are both remembered and applied in order once
/// connected, so they cancel out: the connected socket's handle is ref'd.
///
/// Node spies on `TCPWrap.prototype.ref/unref` (an internal binding) and checks the running count is -1
/// after the first call, 0 after the second and 0 at 'end'; here the handle's own ref state (`uv_has_ref`)
/// is read at 'connect' and at 'end' instead.
@Suite struct PersistentRefUnrefTests {
    @Test func unrefThenRefBeforeConnectLeavesTheSocketRefed() {
        let result = LoopThread.run { _, trace in
            let echoServer = Net.createServer { conn in conn.end() }
            try! echoServer.listen(port: 0)
            echoServer.on(.listening) {
                let sock = Socket()
                sock.unref()
                sock.ref()
                try! sock.connect(port: echoServer.address()!.port!)
                sock.on(.connect) { trace.log("connect: ref'd \(sock.handle?.hasRef ?? false)") }
                sock.on(.end) {
                    trace.log("end: ref'd \(sock.handle?.hasRef ?? false)")
                    echoServer.close()
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["connect: ref'd true", "end: ref'd true"])
    }
}
