@testable import Net
import Foundation
import NetTestSupport
import Testing

/// A peer that resets the connection: the process survives (SIGPIPE is ignored) and the failure arrives
/// as an 'error' event with Node's code and message, then 'close' with hadError. The server side sends
/// a real RST: Node's with `resetAndDestroy()`, ours with SO_LINGER 0 and close (resetAndDestroy itself
/// belongs to the socket-controls issue).
@Suite struct PeerResetTests {
    /// Sends an RST to the peer of an accepted socket.
    static func reset(_ socket: Socket) {
        if let fd = socket.handle?.fileDescriptor {
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        }
        socket.destroy()
    }

    @Test func readSideSeesECONNRESETLikeNode() throws {
        let js = """
            const net = require('net');
            const server = net.createServer((c) => { c.on('data', () => { c.resetAndDestroy(); server.close(); }); });
            server.listen(0, '127.0.0.1', () => {
              const c = net.connect(server.address().port, '127.0.0.1', () => c.write('ping'));
              c.on('error', (e) => console.log('C: error ' + e.code + ' ' + e.message + ' ' + e.errno + ' ' + e.syscall));
              c.on('close', (h) => console.log('C: close ' + h + ' destroyed ' + c.destroyed));
            });
            """
        let node = try Node.run(js)
        #expect(node.status == 0, "\(node.stderr)")
        let ours = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { c in
                c.on(.data) { _ in Self.reset(c); server.close() }
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                var c: Socket!
                c = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1") { c.write("ping") }
                c.on(.error) { e in trace.log("C: error \(e.code) \(e.message) \(e.errno ?? 0) \(e.syscall ?? "")") }
                c.on(.close) { h in trace.log("C: close \(h) destroyed \(c.destroyed)") }
            }
        }
        #expect(ours.finished)
        #expect(ours.trace == node.stdout.split(separator: "\n").map(String.init))
        #expect(ours.trace == ["C: error ECONNRESET read ECONNRESET -104 read", "C: close true destroyed true"])
    }

    @Test func writingIntoAResetPeerIsAnErrorNotSIGPIPE() {
        let ours = LoopThread.run { loop, trace in
            var server: Server!
            server = Net.createServer { c in
                Self.reset(c)
                server.close()
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let c = try! Net.connect(port: server.address()!.port!, host: "127.0.0.1")
                let chunk = Buffer(count: 64 * 1024)
                var writes = 0
                func pump() {
                    // Keep writing until the reset surfaces (EPIPE or ECONNRESET, by timing).
                    guard !c.destroyed, writes < 2_000 else { return }
                    writes += 1
                    c.write(chunk)
                    loop.setTimeout(1) { pump() }
                }
                c.on(.connect) { pump() }
                c.on(.error) { e in trace.log("error \(["EPIPE", "ECONNRESET"].contains(e.code)) \(e.syscall ?? "")") }
                c.on(.close) { h in trace.log("close \(h)") }
            }
        }
        #expect(ours.finished)
        try? #require(ours.trace.count == 2)
        #expect(ours.trace[0].hasPrefix("error true"))
        #expect(ours.trace[1] == "close true")
    }
}
