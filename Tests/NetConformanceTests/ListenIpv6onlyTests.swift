// Node: test/parallel/test-net-listen-ipv6only.js
import Net
import NetTestSupport
import Testing

/// `listen({host: '::', port: 0, ipv6Only: true})` turns dual stack off: an IPv4 connection to that port is
/// refused (ECONNREFUSED), and 'connect' never comes.
/// Node connects to `0.0.0.0` (which Linux treats as the local host); the port connects to `127.0.0.1`,
/// the same IPv4 loopback target.
@Suite struct ListenIpv6onlyTests {
    @Test func ipv6OnlyServerRefusesIPv4Clients() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer()
            do {
                try server.listen(Server.ListenOptions(port: 0, host: "::", ipv6Only: true)) {
                    guard case .inet(let address)? = server.address() else { return trace.log("no address") }
                    trace.log("listening on \(address.address) \(address.family)")
                    let port = address.port
                    do {
                        let socket = try Net.connect(ConnectOptions(port: port, host: "127.0.0.1"))
                        socket.on(.connect) { trace.log("connect (must not happen)") }
                        socket.on(.error) { e in
                            trace.log("error \(e.code)")
                            server.close()
                        }
                    } catch { trace.log("connect threw \(error)") }
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == ["listening on :: IPv6", "error ECONNREFUSED"])
    }
}
