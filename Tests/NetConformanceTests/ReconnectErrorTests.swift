// Node: test/sequential/test-net-reconnect-error.js
import Net
import NetTestSupport
import Testing

/// One Socket reconnects 20 times from its 'close' after ECONNREFUSED: 21 'error's, 21 'close's, no
/// 'connect'. Node's fixed `common.PORT` becomes a port the OS just released.
@Suite struct ReconnectErrorTests {
    @Test func reconnectAfterRefusalTwentyTimes() {
        let n = 20
        let result = LoopThread.run { _, trace in
            var clientErrorCount = 0
            var disconnectCount = 0
            let probe = Net.createServer()
            try! probe.listen(port: 0, host: "127.0.0.1") {
                let port = probe.address()!.port!
                probe.close { _ in
                    let c = try! Net.createConnection(port: port)
                    c.on(.connect) { trace.log("FAIL connect") }
                    c.on(.error) { e in
                        clientErrorCount += 1
                        if e.code != "ECONNREFUSED" { trace.log("FAIL \(e)") }
                    }
                    c.on(.close) { _ in
                        let reconnect = disconnectCount < n
                        disconnectCount += 1
                        if reconnect {
                            do { try c.connect(port: port) } catch { trace.log("FAIL threw \(error)") }
                        } else {
                            trace.log("errors \(clientErrorCount) closes \(disconnectCount)")
                        }
                    }
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["errors 21 closes 21"])
    }
}
