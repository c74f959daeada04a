// Node: test/parallel/test-net-eaddrinuse.js
import Net
import NetTestSupport
import Testing

/// `listen(port)` (no host) on a port another server holds: the 'error' message names EADDRINUSE.
@Suite struct EaddrinuseTests {
    @Test func errorMessageNamesEADDRINUSE() {
        let r = LoopThread.run { _, trace in
            let server1 = Net.createServer { _ in }
            let server2 = Net.createServer { _ in }
            do {
                try server1.listen(port: 0) {
                    guard let port = server1.address()?.port else { return }
                    server2.on(.error) { e in
                        trace.log("error mentions EADDRINUSE: \(e.message.contains("EADDRINUSE"))")
                        // What node v20.20.2 prints here: the no-host bind is on `::`.
                        trace.log("message is Node's: \(e.message == "listen EADDRINUSE: address already in use :::\(port)")")
                        server1.close()
                    }
                    do { try server2.listen(port: port) } catch { trace.log("server2 listen threw \(error)") }
                }
            } catch { trace.log("server1 listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == ["error mentions EADDRINUSE: true", "message is Node's: true"])
    }
}
