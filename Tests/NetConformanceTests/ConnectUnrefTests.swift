// Node: test/internet/test-net-connect-unref.js
import Glibc
import Net
import NetTestSupport
import Testing

/// A client unref'd once connected lets the process exit while the connection is still open: 'close'
/// never comes.
///
/// Node connects to 8.8.8.8:53, a peer outside the process that keeps the connection open. Here the peer
/// is on loopback and outside the loop: a listening socket the kernel completes handshakes for, that
/// nobody accepts from or closes until the loop has returned.
@Suite struct ConnectUnrefTests {
    @Test func unrefedConnectedClientLetsTheLoopEnd() throws {
        let peer = try #require(SilentPeer())
        defer { peer.close() }
        let port = peer.port
        let result = LoopThread.run(timeout: 10) { _, trace in
            var client: Socket!
            client = try! Net.createConnection(port: port, host: "127.0.0.1") {
                trace.log("connect")
                client.unref()
            }
            client.on(.close) { _ in trace.log("close (must not happen)") }
        }
        #expect(result.finished)
        #expect(result.seconds < 5)
        #expect(result.trace == ["connect"])
    }
}

/// A loopback listening socket outside any loop, which never accepts.
private struct SilentPeer {
    let fd: Int32
    let port: Int

    init?() {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bind(fd, sa, size) == 0 && listen(fd, 8) == 0 && getsockname(fd, sa, &size) == 0
            }
        }
        if !ok {
            Glibc.close(fd)
            return nil
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { Glibc.close(fd) }
}
