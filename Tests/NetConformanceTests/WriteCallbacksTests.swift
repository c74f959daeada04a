// Node: test/pummel/test-net-write-callbacks.js
import Net
import NetTestSupport
import Testing

/// 500 000 writes with a callback each, then `end()`: every callback runs exactly once, in write order.
@Suite struct WriteCallbacksTests {
    static let n = 500_000

    @Test func everyCallbackOnceInOrder() {
        let result = LoopThread.run { _, trace in
            var cbcount = 0
            var lastCalled = -1
            var server: Server!
            server = Net.createServer { socket in
                socket.on(.data) { _ in }
                socket.on(.end) {
                    socket.destroy()
                    server.close()
                }
            }
            func makeCallback(_ c: Int) -> (NetError?) -> Void {
                var called = false
                return { _ in
                    if called { trace.log("callback #\(c) called more than once") }
                    called = true
                    if c < lastCalled { trace.log("callbacks out of order: last \(lastCalled) current \(c)") }
                    lastCalled = c
                    cbcount += 1
                }
            }
            try! server.listen(port: 0) {
                let client = try! Net.createConnection(port: server.address()!.port!)
                client.on(.connect) {
                    for i in 0..<Self.n { client.write("hello world", makeCallback(i)) }
                    client.end()
                }
                client.on(.close) { _ in trace.log("callbacks \(cbcount)") }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["callbacks \(Self.n)"])
    }
}
