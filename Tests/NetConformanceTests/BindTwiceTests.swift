// Node: test/parallel/test-net-bind-twice.js
import Net
import NetTestSupport
import Testing

/// A second server on the port a first one holds on 127.0.0.1 gets 'error' EADDRINUSE; its listen callback
/// and both connection listeners never run.
@Suite struct BindTwiceTests {
    @Test func secondServerOnTheSamePortGetsEADDRINUSE() {
        let r = LoopThread.run { _, trace in
            let server1 = Net.createServer { _ in trace.log("server1 connection (must not happen)") }
            do {
                try server1.listen(port: 0, host: "127.0.0.1") {
                    trace.log("server1 listening")
                    guard let port = server1.address()?.port else { return }
                    let server2 = Net.createServer { _ in trace.log("server2 connection (must not happen)") }
                    server2.on(.error) { e in
                        trace.log("server2 error \(e.code)")
                        server1.close()
                    }
                    do {
                        try server2.listen(port: port, host: "127.0.0.1") { trace.log("server2 listening (must not happen)") }
                    } catch { trace.log("server2 listen threw \(error)") }
                }
            } catch { trace.log("server1 listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == ["server1 listening", "server2 error EADDRINUSE"])
    }
}
