// Node: test/sequential/test-net-localport.js
import Net
import NetTestSupport
import Testing

/// The `localPort` option is honoured: the server sees it as the client's `remotePort`, and the client's
/// `localPort` is it at 'connect'. Node's fixed `common.PORT` becomes a port the OS just released.
@Suite struct LocalportTests {
    @Test func localPortOptionIsUsed() {
        let result = LoopThread.run { _, trace in
            let probe = Net.createServer()
            try! probe.listen(port: 0, host: "127.0.0.1") {
                let localPort = probe.address()!.port!
                probe.close { _ in
                    var server: Server!
                    server = Net.createServer { socket in
                        trace.log("S remotePort ok \(socket.remotePort == localPort)")
                        socket.end()
                        socket.on(.close) { _ in server.close() }
                    }
                    try! server.listen(port: 0)
                    server.on(.listening) {
                        let port = server.address()!.port!
                        var client: Socket!
                        client = try! Net.connect(ConnectOptions(port: port, host: "127.0.0.1", localPort: localPort))
                        client.on(.connect) { trace.log("C localPort ok \(client.localPort == localPort)") }
                    }
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace.sorted() == ["C localPort ok true", "S remotePort ok true"])
    }
}
