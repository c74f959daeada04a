// Node: test/parallel/test-net-better-error-messages-listen.js
import Net
import NetTestSupport
import Testing

/// `listen(1, <address this host does not have>)` fails with an 'error' that carries the address, the port
/// and `syscall: 'listen'`; neither the listen callback nor 'connection' runs.
/// Node binds 1.1.1.1; this port binds 192.0.2.1 (TEST-NET-1, reserved for documentation, never a host's
/// address): the bind fails locally the same way and no packet leaves the machine. The message is the one
/// node v20.20.2 prints here for it (`listen EADDRNOTAVAIL: address not available 192.0.2.1:1`).
@Suite struct BetterErrorMessagesListenTests {
    @Test func listenErrorCarriesAddressPortAndSyscall() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer { _ in trace.log("connection (must not happen)") }
            server.on(.error) { e in
                trace.log("error address=\(e.address ?? "nil") port=\(e.port.map(String.init) ?? "nil") syscall=\(e.syscall ?? "nil")")
                trace.log("message \(e.message)")
            }
            do {
                try server.listen(port: 1, host: "192.0.2.1") { trace.log("listening (must not happen)") }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == [
            "error address=192.0.2.1 port=1 syscall=listen",
            "message listen EADDRNOTAVAIL: address not available 192.0.2.1:1",
        ])
    }
}
