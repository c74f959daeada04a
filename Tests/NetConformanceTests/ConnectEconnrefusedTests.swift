// Node: test/sequential/test-net-connect-econnrefused.js
import Net
import NetTestSupport
import Testing

/// Connect requests are cleaned up: 5 rounds of 50 refused connections each fail with ECONNREFUSED, and
/// afterwards (on a 0 ms timer) no TCP handle is left. Node counts `TCPWRAP` entries of
/// `process.getActiveResourcesInfo()`; the Swift counterpart is that inside that timer none of the 250
/// sockets is still alive (each owned its TCP handle, and a socket lives until its handle has closed),
/// and that `run()` returns by itself.
@Suite struct ConnectEconnrefusedTests {
    final class WeakSocket {
        weak var socket: Socket?
        init(_ socket: Socket) { self.socket = socket }
    }

    @Test func refusedConnectsLeaveNoHandles() {
        let rounds = 5, attemptsPerRound = 50
        let result = LoopThread.run { _, trace in
            var round = 1
            var reqs = 0
            var errors = 0
            var sockets: [WeakSocket] = []
            let server = Net.createServer()
            try! server.listen(port: 0) {
                let port = server.address()!.port!
                server.close { _ in
                    func check() {
                        setTimeout(0) {
                            trace.log("live sockets \(sockets.filter { $0.socket != nil }.count)")
                            trace.log("rounds \(round) reqs \(reqs) errors \(errors)")
                        }
                    }
                    func pummel() {
                        var pending = 0
                        while pending < attemptsPerRound {
                            let socket = try! Net.createConnection(port: port)
                            sockets.append(WeakSocket(socket))
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
        #expect(result.trace == ["live sockets 0", "rounds 5 reqs 250 errors 250"])
    }
}
