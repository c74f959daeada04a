// Node: test/parallel/test-net-socket-local-address.js
import Net
import NetTestSupport
import Testing

/// One Socket connects twice (again from its 'close'): each time, the client's `localPort` in the
/// connect callback is the `remotePort` the server sees.
@Suite struct SocketLocalAddressTests {
    @Test func clientLocalPortIsServerRemotePortOnEachConnection() {
        let result = LoopThread.run { _, trace in
            var conns = 0
            var clientLocalPorts: [Int?] = []
            var serverRemotePorts: [Int?] = []
            let client = Socket()
            var server: Server!
            server = Net.createServer { socket in
                serverRemotePorts.append(socket.remotePort)
                socket.end()
            }
            server.on(.close) {
                trace.log("server close: ports agree \(clientLocalPorts == serverRemotePorts), \(clientLocalPorts.count) connections, conns \(conns)")
            }
            func connect() {
                if conns == 2 {
                    server.close()
                    return
                }
                conns += 1
                client.once(.close) { _ in connect() }
                do {
                    try client.connect(port: server.address()!.port!, host: "127.0.0.1") {
                        clientLocalPorts.append(client.localPort)
                    }
                } catch {
                    trace.log("FAIL threw \(error)")
                }
            }
            try! server.listen(port: 0, host: "127.0.0.1", connect)
        }
        #expect(result.finished)
        #expect(result.trace == ["server close: ports agree true, 2 connections, conns 2"])
    }
}
