// Node: test/pummel/test-net-pause.js
import Net
import NetTestSupport
import Testing

/// The server writes one character every 10 ms, 200 times; the client alternates 500 ms of flowing and
/// 500 ms paused twice. Nothing arrives while paused, and all 200 characters arrive in the end.
@Suite struct PauseTests {
    static let n = 200

    @Test func nothingArrivesWhilePaused() {
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { connection in
                func write(_ j: Int) {
                    if j >= Self.n {
                        connection.end()
                        return
                    }
                    setTimeout(10) {
                        connection.write("C")
                        write(j + 1)
                    }
                }
                write(0)
            }
            server.on(.listening) {
                var recv = ""
                var charsReceived = 0
                let client = try! Net.createConnection(port: server.address()!.port!)
                client.setEncoding(.ascii)
                client.on(.data) { d in recv += d.toString() }

                setTimeout(500) {
                    charsReceived = recv.count
                    trace.log("first pause after some data: \(charsReceived > 1)")
                    client.pause()
                    setTimeout(500) {
                        trace.log("nothing while paused: \(charsReceived == recv.count)")
                        client.resume()
                        setTimeout(500) {
                            charsReceived = recv.count
                            client.pause()
                            setTimeout(500) {
                                trace.log("nothing while paused: \(charsReceived == recv.count)")
                                client.resume()
                            }
                        }
                    }
                }

                client.on(.end) {
                    server.close()
                    client.end()
                }
                client.on(.close) { _ in trace.log("received \(recv.count)") }
            }
            try! server.listen(port: 0)
        }
        #expect(result.finished)
        #expect(result.trace == [
            "first pause after some data: true",
            "nothing while paused: true",
            "nothing while paused: true",
            "received \(Self.n)",
        ])
    }
}
