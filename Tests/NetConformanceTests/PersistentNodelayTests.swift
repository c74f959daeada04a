// Node: test/parallel/test-net-persistent-nodelay.js
@testable import Net
import NetTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `setNoDelay()` on a `Socket` that has no handle yet returns the socket and is kept: the connection
/// made afterwards has Nagle's algorithm off. The server ends the connection; at the client's 'end' the
/// server closes.
///
/// Node counts calls of the internal `TCPWrap.prototype.setNoDelay` (exactly one, v20); here the kernel's
/// TCP_NODELAY is read at 'connect' and at 'end' instead (it is 0 on a new TCP socket).
/// Dropped: `instanceof net.Socket` (the return is checked to be the same socket instead).
@Suite struct PersistentNodelayTests {
    @Test func noDelaySetBeforeConnectPersists() {
        let r = LoopThread.run { _, trace in
            let echoServer = Net.createServer { connection in connection.end() }
            do {
                try echoServer.listen(port: 0)
                echoServer.on(.listening) {
                    guard let port = echoServer.address()?.port else { return }
                    let sock1 = Socket()
                    // setNoDelay before the handle is created.
                    let s = sock1.setNoDelay()
                    trace.log("setNoDelay returns the socket: \(s === sock1)")
                    do { try sock1.connect(port: port) } catch { trace.log("connect threw \(error)") }
                    sock1.on(.connect) { trace.log("connect TCP_NODELAY=\(sockopt(sock1, Int32(IPPROTO_TCP), TCP_NODELAY))") }
                    sock1.on(.end) {
                        trace.log("end TCP_NODELAY=\(sockopt(sock1, Int32(IPPROTO_TCP), TCP_NODELAY))")
                        echoServer.close()
                    }
                    sock1.on(.error) { e in trace.log("client error \(e)") }
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == ["setNoDelay returns the socket: true", "connect TCP_NODELAY=1", "end TCP_NODELAY=1"])
    }
}

