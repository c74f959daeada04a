// Node: test/sequential/test-net-server-address.js
import Net
import NetTestSupport
import Testing

/// `server.address()` in the listen callback: `{127.0.0.1, IPv4, port}` on `127.0.0.1`, `{::1, IPv6, port}`
/// on `::1`, and `{::, IPv6}` without a host, whether the port is given, omitted, or 0.
/// Node listens on fixed ports (common.PORT + 1 … + 3); the port asks for ports the OS handed out a
/// moment earlier, so that the requested port is still the one checked.
@Suite struct ServerAddressTests {
    private static func line(_ name: String, _ address: ServerAddress?, expectedPort: Int?) -> String {
        guard case .inet(let info)? = address else { return "\(name): \(address?.description ?? "nil")" }
        let port = expectedPort.map { info.port == $0 ? "port as asked" : "port \(info.port) != \($0)" }
            ?? (info.port > 0 ? "some port" : "port 0")
        return "\(name): \(info.address) \(info.family) \(port)"
    }

    @Test func addressOfIPv4IPv6AndUnspecifiedServers() {
        let r = LoopThread.run { _, trace in
            func listen(_ name: String, port: Int?, host: String?) {
                let server = Net.createServer()
                server.on(.error) { e in trace.log("\(name): error (must not happen) \(e)") }
                do {
                    let callback = {
                        trace.log(Self.line(name, server.address(), expectedPort: port == 0 ? nil : port))
                        server.close()
                    }
                    if let port {
                        try server.listen(port: port, host: host, callback)
                    } else {
                        try server.listen(callback)
                    }
                } catch { trace.log("\(name): listen threw \(error)") }
            }
            listen("ipv4", port: Ports.recentlyFree(), host: "127.0.0.1")
            listen("ipv6", port: Ports.recentlyFree(), host: "::1")
            listen("port, no host", port: Ports.recentlyFree(), host: nil)
            listen("no port, no host", port: nil, host: nil)
            listen("port 0, no host", port: 0, host: nil)
        }
        #expect(r.finished)
        #expect(r.trace.sorted() == [
            "ipv4: 127.0.0.1 IPv4 port as asked",
            "ipv6: ::1 IPv6 port as asked",
            "no port, no host: :: IPv6 some port",
            "port 0, no host: :: IPv6 some port",
            "port, no host: :: IPv6 port as asked",
        ])
    }
}
