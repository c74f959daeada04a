// Node: test/parallel/test-net-remote-address-port.js
import Net
import NetTestSupport
import Testing

/// `remoteAddress`, `remoteFamily` and `remotePort` are unset before connecting, right at 'connect'
/// (the server's address and port) and still there at 'close', on both ends, for a client to
/// `127.0.0.1` and one to `localhost` of a dual-stack (`::`) server.
@Suite struct RemoteAddressPortTests {
    static let remoteAddrCandidates = ["127.0.0.1", "::1", "::ffff:127.0.0.1"]
    static let remoteFamilyCandidates = ["IPv4", "IPv6"]

    @Test func remoteFieldsOnBothEnds() {
        let result = LoopThread.run { _, trace in
            func check(_ ok: Bool, _ what: String) { if !ok { trace.log("FAIL \(what)") } }
            func checkRemote(_ s: Socket, _ who: String) {
                check(Self.remoteAddrCandidates.contains(s.remoteAddress ?? "nil"), "\(who) remoteAddress \(String(describing: s.remoteAddress))")
                check(Self.remoteFamilyCandidates.contains(s.remoteFamily ?? "nil"), "\(who) remoteFamily \(String(describing: s.remoteFamily))")
            }
            var connsClosed = 0
            var server: Server!
            server = Net.createServer { socket in
                trace.log("connection")
                checkRemote(socket, "S")
                check((socket.remotePort ?? 0) != 0, "S remotePort \(String(describing: socket.remotePort))")
                check(socket.remotePort != server.address()!.port, "S remotePort is the server's")
                socket.on(.end) {
                    connsClosed += 1
                    if connsClosed == 2 { server.close() }
                }
                socket.on(.close) { _ in
                    trace.log("S close")
                    checkRemote(socket, "S at close")
                }
                socket.resume()
            }
            try! server.listen(port: 0) {
                let port = server.address()!.port!
                let client = try! Net.createConnection(port: port, host: "127.0.0.1")
                let client2 = try! Net.createConnection(port: port)
                for c in [client, client2] {
                    check(c.remoteAddress == nil && c.remoteFamily == nil && c.remotePort == nil, "remote set before connect")
                }
                for (c, name) in [(client, "C1"), (client2, "C2")] {
                    c.on(.connect) {
                        trace.log("\(name) connect")
                        checkRemote(c, name)
                        check(c.remotePort == server.address()?.port, "\(name) remotePort \(String(describing: c.remotePort))")
                        c.end()
                    }
                    c.on(.close) { _ in
                        trace.log("\(name) close")
                        checkRemote(c, "\(name) at close")
                    }
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace.filter { $0.hasPrefix("FAIL") } == [])
        #expect(result.trace.filter { $0 == "connection" }.count == 2)
        #expect(result.trace.filter { $0 == "S close" }.count == 2)
        #expect(result.trace.filter { $0 == "C1 connect" || $0 == "C2 connect" }.count == 2)
        #expect(result.trace.filter { $0 == "C1 close" || $0 == "C2 close" }.count == 2)
    }
}
