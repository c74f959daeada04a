// Node: test/parallel/test-net-server-blocklist.js
import Net
import NetTestSupport
import Testing

/// A server whose `blockList` blocks the client's address closes the connection before 'connection'
/// (Node v22's `createServer({ blockList })`; node v20, the oracle here, has not the option, so this
/// follows Node's test and lib/net.js): the client sees its socket close.
@Suite struct ServerBlocklistTests {
    @Test func blockedPeerIsClosedBeforeConnection() throws {
        let blockList = BlockList()
        try blockList.addAddress("127.0.0.1")
        let result = LoopThread.run { _, trace in
            let server = Net.createServer(.init(blockList: blockList)) { _ in trace.log("FAIL connection") }
            server.on(.drop) { _ in trace.log("FAIL drop") }
            try! server.listen(port: 0, host: "127.0.0.1") {
                let address = server.address()!
                var options = ConnectOptions(port: address.port!, host: "127.0.0.1")
                options.localAddress = "127.0.0.1"
                let socket = try! Net.connect(options)
                socket.on(.error) { e in trace.log("client error \(e.code)") }
                socket.on(.close) { _ in
                    trace.log("client close")
                    server.close()
                }
            }
        }
        #expect(result.finished)
        // The peer's close arrives as an EOF (or, had data been in flight, a reset): 'close' either way.
        #expect(result.trace.last == "client close")
        #expect(!result.trace.contains { $0.hasPrefix("FAIL") })
    }
}
