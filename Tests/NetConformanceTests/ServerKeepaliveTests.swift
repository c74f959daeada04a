// Node: test/parallel/test-net-server-keepalive.js
@testable import Net
import NetTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `createServer({keepAlive: true, keepAliveInitialDelay: 1000})` turns keep-alive on for each accepted
/// socket with the delay in whole seconds (1); the socket remembers it, so a later `setKeepAlive(true, 1000)`
/// is skipped, `2000` and `3000` are applied, and a repeated `3000` is skipped again (Node v20: the
/// handle's `setKeepAlive` is called once at accept, then exactly twice, with 2 and 3).
///
/// Node spies on the handle's `setKeepAlive` (internal); here the kernel's SO_KEEPALIVE and TCP_KEEPIDLE are
/// read instead, and a skipped call is told from an applied one by first setting TCP_KEEPIDLE to a marker
/// value behind Net's back: a skipped call leaves the marker.
@Suite struct ServerKeepaliveTests {
    @Test func keepAliveOptionIsAppliedOnAcceptAndDuplicatesAreSkipped() {
        let r = LoopThread.run { _, trace in
            let idle = Int32(IPPROTO_TCP), keepIdle = TCP_KEEPIDLE
            var server: Server!
            server = Net.createServer(.init(keepAlive: true, keepAliveInitialDelay: 1000)) { socket in
                trace.log("accepted SO_KEEPALIVE=\(sockopt(socket, SOL_SOCKET, SO_KEEPALIVE)) TCP_KEEPIDLE=\(sockopt(socket, idle, keepIdle))")
                setsockopt(socket, idle, keepIdle, 77)
                socket.setKeepAlive(true, 1000)
                trace.log("setKeepAlive(true, 1000) TCP_KEEPIDLE=\(sockopt(socket, idle, keepIdle))")
                socket.setKeepAlive(true, 2000)
                trace.log("setKeepAlive(true, 2000) TCP_KEEPIDLE=\(sockopt(socket, idle, keepIdle))")
                socket.setKeepAlive(true, 3000)
                trace.log("setKeepAlive(true, 3000) TCP_KEEPIDLE=\(sockopt(socket, idle, keepIdle))")
                setsockopt(socket, idle, keepIdle, 99)
                socket.setKeepAlive(true, 3000)
                trace.log("setKeepAlive(true, 3000) again TCP_KEEPIDLE=\(sockopt(socket, idle, keepIdle))")
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
        #expect(r.trace == [
            "accepted SO_KEEPALIVE=1 TCP_KEEPIDLE=1",
            "setKeepAlive(true, 1000) TCP_KEEPIDLE=77",
            "setKeepAlive(true, 2000) TCP_KEEPIDLE=2",
            "setKeepAlive(true, 3000) TCP_KEEPIDLE=3",
            "setKeepAlive(true, 3000) again TCP_KEEPIDLE=99",
        ])
    }
}


