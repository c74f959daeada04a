import Net
import NetTestSupport
import Testing

/// `reusePort` shares one port between two servers and the kernel spreads the connections: over 1,000
/// connections, each server accepts some. Without the option the second listen fails with EADDRINUSE.
@Suite struct ReusePortTests {
    @Test func twoServersBothAcceptOverAThousandConnections() {
        let total = 1000
        let result = LoopThread.run(timeout: 60) { _, trace in
            var accepted = [0, 0]
            var closed = 0
            let servers = (0..<2).map { index in
                Net.createServer { socket in
                    accepted[index] += 1
                    socket.end()
                }
            }
            var options = Server.ListenOptions(port: 0, host: "127.0.0.1")
            options.reusePort = true
            try! servers[0].listen(options) {
                options.port = servers[0].address()!.port!
                try! servers[1].listen(options) {
                    let port = options.port!
                    var started = 0
                    // 50 at a time, so the backlog never overflows.
                    func next() {
                        guard started < total else { return }
                        started += 1
                        let client = try! Net.connect(port: port, host: "127.0.0.1")
                        client.on(.error) { e in trace.log("FAIL client \(e.code)") }
                        client.resume()
                        client.on(.close) { _ in
                            closed += 1
                            if closed == total {
                                trace.log("accepted \(accepted[0] + accepted[1]) both \(accepted[0] > 0 && accepted[1] > 0)")
                                servers.forEach { $0.close() }
                            } else {
                                next()
                            }
                        }
                    }
                    for _ in 0..<50 { next() }
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["accepted 1000 both true"])
    }

    @Test func withoutReusePortTheSecondListenFails() {
        let result = LoopThread.run { _, trace in
            let first = Net.createServer(), second = Net.createServer()
            try! first.listen(port: 0, host: "127.0.0.1") {
                var options = Server.ListenOptions(port: first.address()!.port!, host: "127.0.0.1")
                options.reusePort = false
                second.on(.error) { e in trace.log("\(e.code) \(e.syscall ?? "")"); first.close() }
                try! second.listen(options) { trace.log("FAIL listening") }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["EADDRINUSE listen"])
    }
}
