// Node: test/parallel/test-net-local-address-port.js
import Net
import NetTestSupport
import Testing

/// An accepted socket's `localAddress`, `localPort` and `localFamily` are the server's address.
@Suite struct LocalAddressPortTests {
    @Test func acceptedSocketLocalAddressIsTheServers() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { socket in
                let address = server.address()!
                guard case .inet(let info) = address else { return trace.log("FAIL address \(address)") }
                trace.log("local \(socket.localAddress ?? "nil") \(socket.localPort == info.port) \(socket.localFamily == info.family) \(info.family)")
                socket.on(.end) { server.close() }
                socket.resume()
            }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let client = try! Net.createConnection(port: server.address()!.port!, host: "127.0.0.1")
                client.on(.connect) { client.end() }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["local 127.0.0.1 true true IPv4"])
    }
}
