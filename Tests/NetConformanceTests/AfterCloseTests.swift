// Node: test/parallel/test-net-after-close.js
import Net
import NetTestSupport
import Testing

/// Inside a client's 'close' (the server ended the connection), the socket has no handle, and its
/// getters and methods still work: `setNoDelay`, `setKeepAlive`, `bufferSize`, `pause`, `resume`,
/// `address()`, `remoteAddress`, `remotePort`. `c._handle === null` is internal; its public
/// face is `pending`, true exactly when the socket has no handle or is connecting.
@Suite struct AfterCloseTests {
    @Test func gettersAndMethodsOfAClosedSocketStillWork() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer { s in s.end() }
            do {
                try server.listen(port: 0) {
                    trace.log("listening")
                    guard let port = server.address()?.port else { return }
                    do {
                        let c = try Net.createConnection(port: port)
                        c.on(.close) { _ in
                            trace.log("close pending=\(c.pending) connecting=\(c.connecting) destroyed=\(c.destroyed)")
                            c.setNoDelay()
                            c.setKeepAlive()
                            _ = c.bufferSize
                            c.pause()
                            c.resume()
                            _ = c.address()
                            _ = c.remoteAddress
                            _ = c.remotePort
                            server.close()
                            trace.log("still alive")
                        }
                    } catch { trace.log("connect threw \(error)") }
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == ["listening", "close pending=true connecting=false destroyed=true", "still alive"])
    }
}
