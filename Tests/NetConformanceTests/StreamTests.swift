// Node: test/parallel/test-net-stream.js
import Net
import NetTestSupport
import Testing

/// Two parts. (1) `destroy()` called twice on a socket that belongs to a server takes it off the server's
/// connection count once. (2) A server socket writes 10 × 2 MB then `end()`s; the client pauses at its
/// first 'data' (`pause()` returns the socket) and destroys itself 20 ms later: the server socket gets one
/// 'error' (its listener destroys it), then 'close', where the server closes; no connection is left.
/// Changed in (1): Node builds a handle-less `net.Stream` and sets `s.server.connections = 10` by hand;
/// in Net only a server makes sockets that count, so the port destroys a real accepted socket twice and
/// reads `getConnections`.
@Suite struct StreamTests {
    @Test func destroyTwiceDecrementsTheServerCountOnce() {
        let r = LoopThread.run { _, trace in
            var accepted: [Socket] = []
            var server: Server!
            server = Net.createServer { s in
                accepted.append(s)
                guard accepted.count == 2 else { return }
                server.getConnections { _, n in trace.log("connections \(n)") }
                s.destroy()
                server.getConnections { _, n in trace.log("connections \(n)") }
                s.destroy()
                server.getConnections { _, n in trace.log("connections \(n)") }
                for c in accepted { c.destroy() }
                accepted = []
                server.close()
            }
            do {
                try server.listen(port: 0, host: "127.0.0.1") {
                    guard let port = server.address()?.port else { return }
                    for _ in 0..<2 {
                        do {
                            try Net.createConnection(port: port, host: "127.0.0.1").on(.error) { _ in }
                        } catch { trace.log("connect threw \(error)") }
                    }
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == ["connections 2", "connections 1", "connections 1"])
    }

    @Test func peerDestroyedDuringBigWrites() {
        let r = LoopThread.run { loop, trace in
            let size = 2_000_000
            let n = 10
            let buf = Buffer([UInt8](repeating: 0x61, count: size))
            var server: Server!
            server = Net.createServer { socket in
                socket.setNoDelay()
                socket.on(.error) { e in
                    trace.log(["ECONNRESET", "EPIPE"].contains(e.code) ? "server socket error" : "unexpected error \(e)")
                    socket.destroy()
                }
                socket.on(.close) { _ in
                    trace.log("server socket close")
                    server.close()
                }
                for _ in 0..<n { socket.write(buf) { _ in } }
                socket.end()
            }
            do {
                try server.listen(port: 0) {
                    guard let port = server.address()?.port else { return }
                    do {
                        let conn = try Net.connect(port: port)
                        conn.on(.data) { _ in
                            if conn.pause() !== conn { trace.log("pause() did not return the socket") }
                            loop.setTimeout(20) { conn.destroy() }
                        }
                    } catch { trace.log("connect threw \(error)") }
                }
            } catch { trace.log("listen threw \(error)") }
            server.on(.close) {
                server.getConnections { _, count in trace.log("connections at exit \(count)") }
            }
        }
        #expect(r.finished)
        #expect(r.trace == ["server socket error", "server socket close", "connections at exit 0"])
    }
}
