// Node: test/parallel/test-net-listen-error.js
import Net
import NetTestSupport
import Testing

/// `listen(1, <address this host does not have>)` emits 'error' (EACCES or EADDRNOTAVAIL) and never calls
/// the listen callback.
/// Node binds 1.1.1.1; this port binds 192.0.2.1 (TEST-NET-1, reserved for documentation): the bind fails
/// locally the same way and no packet leaves the machine.
@Suite struct ListenErrorTests {
    @Test func listenOnAForeignAddressEmitsError() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer { _ in }
            do {
                try server.listen(port: 1, host: "192.0.2.1") { trace.log("listening (must not happen)") }
            } catch { trace.log("listen threw \(error)") }
            server.on(.error) { e in
                trace.log(["EACCES", "EADDRNOTAVAIL"].contains(e.code) ? "error" : "unexpected error \(e)")
            }
        }
        #expect(r.finished)
        #expect(r.trace == ["error"])
    }
}
