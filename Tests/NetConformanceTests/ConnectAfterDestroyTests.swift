// Node: test/parallel/test-net-connect-after-destroy.js
import Net
import NetTestSupport
import Testing

/// `destroy()` right after `createConnection(port, host)` while the host is still being resolved must not
/// crash: nothing connects, no 'error', one 'close' (false: the socket already had its TCP handle), and the
/// loop ends. Regression test for nodejs/node-v0.x-archive#819.
/// Node resolves `google.com`; the port resolves `localhost` (a real `getaddrinfo` call all the same), at a
/// port that was free a moment ago, so nothing leaves the machine.
@Suite struct ConnectAfterDestroyTests {
    @Test func destroyDuringTheLookup() {
        let r = LoopThread.run { _, trace in
            let probe = Net.createServer()
            _ = try? probe.listen(port: 0)
            let port = probe.address()?.port ?? 0
            probe.close()
            do {
                let c = try Net.createConnection(port: port, host: "localhost")
                c.on(.connect) { trace.log("connect (must not happen)") }
                c.on(.error) { e in trace.log("error (must not happen) \(e)") }
                c.on(.close) { hadError in trace.log("close \(hadError)") }
                c.destroy()
            } catch { trace.log("connect threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == ["close false"])
    }
}
