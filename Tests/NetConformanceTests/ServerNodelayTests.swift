// Node: test/parallel/test-net-server-nodelay.js
@testable import Net
import NetTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `createServer({noDelay: true})` turns Nagle's algorithm off for each accepted socket, and the socket
/// remembers it: a later `setNoDelay(true)` is a no-op (Node v20: the handle's `setNoDelay` is called once,
/// at accept).
///
/// Node spies on the handle's `setNoDelay` (internal); here the kernel's TCP_NODELAY is read instead, and the
/// no-op is told from a call by first turning TCP_NODELAY off behind Net's back: a skipped call leaves it off.
@Suite struct ServerNodelayTests {
    @Test func noDelayOptionIsAppliedOnAcceptOnce() {
        let r = LoopThread.run { _, trace in
            let tcp = Int32(IPPROTO_TCP)
            var server: Server!
            server = Net.createServer(.init(noDelay: true)) { socket in
                trace.log("accepted TCP_NODELAY=\(sockopt(socket, tcp, TCP_NODELAY))")
                setsockopt(socket, tcp, TCP_NODELAY, 0)
                socket.setNoDelay(true)
                trace.log("setNoDelay(true) TCP_NODELAY=\(sockopt(socket, tcp, TCP_NODELAY))")
                socket.destroy()
                server.close()
            }
            do {
                try server.listen(port: 0) {
                    guard let port = server.address()?.port else { return }
                    do {
                        let client = try Net.connect(port: port)
                        client.on(.error) { e in trace.log("client error \(e)") }
                    } catch { trace.log("connect threw \(error)") }
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == ["accepted TCP_NODELAY=1", "setNoDelay(true) TCP_NODELAY=0"])
    }
}


