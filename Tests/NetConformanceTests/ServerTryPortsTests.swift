// Node: test/parallel/test-net-server-try-ports.js
import Net
import NetTestSupport
import Testing

/// A server that failed with EADDRINUSE (exactly one 'error') can listen on another port 100 ms later.
/// Node uses common.PORT and common.PORT + 1; the port takes the first server's OS-chosen port for the
/// collision and 0 for the retry.
@Suite struct ServerTryPortsTests {
    @Test func listenOnAnotherPortAfterEADDRINUSE() {
        let r = LoopThread.run { loop, trace in
            let server1 = Net.createServer { s in
                trace.log("connection (must not happen)")
                s.destroy()
            }
            let server2 = Net.createServer { s in
                trace.log("connection (must not happen)")
                s.destroy()
            }
            server2.on(.error) { e in trace.log("server2 error \(e.code)") }
            do {
                try server1.listen(port: 0) {
                    trace.log("server1 listening")
                    guard let port = server1.address()?.port else { return }
                    // This should make server2 emit EADDRINUSE.
                    do { try server2.listen(port: port) } catch { trace.log("server2 listen threw \(error)") }
                    // Wait a bit, then try again.
                    loop.setTimeout(100) {
                        do {
                            try server2.listen(port: 0) {
                                trace.log("server2 listening")
                                server1.close()
                                server2.close()
                            }
                        } catch { trace.log("server2 second listen threw \(error)") }
                    }
                }
            } catch { trace.log("server1 listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == ["server1 listening", "server2 error EADDRINUSE", "server2 listening"])
    }
}
