// Node: test/parallel/test-net-remote-address.js
import Net
import NetTestSupport
import Testing

/// Right after `connect()` the socket is connecting and has no `remoteAddress`; at 'connect' it has one.
@Suite struct RemoteAddressTests {
    @Test func remoteAddressUnsetUntilConnected() {
        let result = LoopThread.run { _, trace in
            let server = Net.createServer()
            try! server.listen {
                let socket = try! Net.connect(ConnectOptions(port: server.address()!.port!))
                trace.log("connecting \(socket.connecting) \(socket.remoteAddress ?? "nil")")
                socket.on(.connect) {
                    trace.log("connect \(socket.remoteAddress != nil)")
                    socket.end()
                }
                socket.on(.end) {
                    trace.log("end")
                    server.close()
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["connecting true nil", "connect true", "end"])
    }
}
