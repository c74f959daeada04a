// Node: test/sequential/test-net-connect-econnrefused.js
@testable import Net
import NetTestSupport
import Testing

/// Connect requests are cleaned up: 5 rounds of 50 refused connections each fail with ECONNREFUSED, and
/// afterwards (on a 0 ms timer) no TCP handle is left. Node counts `TCPWRAP` entries of
/// `process.getActiveResourcesInfo()`; the Swift counterpart counts the loop's open `tcp` handles (libuv's
/// `uv_walk`), checks that all 250 sockets are destroyed, and that `run()` returns by itself. (The
/// sockets themselves may still be alive: the loop keeps the most recently closed emitters, with their
/// listeners, in its `ListenerRetention`.)
@Suite struct ConnectEconnrefusedTests {
    @Test func refusedConnectsLeaveNoHandles() {
        let rounds = 5, attemptsPerRound = 50
        let result = LoopThread.run { _, trace in
            var round = 1
            var reqs = 0
            var errors = 0
            var sockets: [Socket] = []
            let server = Net.createServer()
            try! server.listen(port: 0) {
                let port = server.address()!.port!
                server.close { _ in
                    func check() {
                        setTimeout(0) {
                            trace.log("open tcp handles \(EventLoop.current.openHandleTypes().filter { $0 == "tcp" }.count)")
                            trace.log("destroyed \(sockets.filter(\.destroyed).count)")
                            sockets.removeAll()
                            trace.log("rounds \(round) reqs \(reqs) errors \(errors)")
                        }
                    }
                    func pummel() {
                        var pending = 0
                        while pending < attemptsPerRound {
                            let socket = try! Net.createConnection(port: port)
                            sockets.append(socket)
                            socket.on(.error) { err in
                                errors += 1
                                if err.code != "ECONNREFUSED" { trace.log("FAIL \(err)") }
                                pending -= 1
                                if pending > 0 { return }
                                if round == rounds { return check() }
                                round += 1
                                pummel()
                            }
                            reqs += 1
                            pending += 1
                        }
                    }
                    pummel()
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["open tcp handles 0", "destroyed 250", "rounds 5 reqs 250 errors 250"])
    }
}
