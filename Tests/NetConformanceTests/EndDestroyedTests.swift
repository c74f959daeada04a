// Node: test/parallel/test-net-end-destroyed.js
import Net
import NetTestSupport
import Testing

/// A client that ended its own side is not destroyed before it emits 'end' for the peer's FIN.
@Suite struct EndDestroyedTests {
    @Test func notDestroyedBeforeEmittingEnd() {
        let result = LoopThread.run { _, trace in
            let server = Net.createServer()
            server.on(.connection) { _ in trace.log("connection") }
            try! server.listen {
                let socket = try! Net.createConnection(ConnectOptions(port: server.address()!.port!))
                socket.on(.connect) {
                    trace.log("connect")
                    socket.on(.end) {
                        trace.log("end: destroyed \(socket.destroyed)")
                        server.close()
                    }
                    socket.end()
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace.filter { $0 == "connection" }.count == 1)
        #expect(result.trace.filter { $0 != "connection" } == ["connect", "end: destroyed false"])
    }
}
