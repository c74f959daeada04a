// Node: test/parallel/test-net-server-pause-on-connect.js
import Net
import NetTestSupport
import Testing

/// A server with `pauseOnConnect: true` reads nothing from an accepted socket until `resume()`, even with a
/// 'data' listener: a client writes `test` to it, then (in the write callback) a second server without
/// the option gets the same message from another client at once; at that point the paused socket's
/// `bytesRead` is still 0. After `resume()` the paused socket receives `test`. Both servers close.
@Suite struct ServerPauseOnConnectTests {
    @Test func pauseOnConnectReadsNothingUntilResume() {
        let msg = "test"
        let r = LoopThread.run { _, trace in
            var stopped = true
            var server1Sock: Socket?
            var server1: Server!
            var server2: Server!
            server1 = Net.createServer(.init(pauseOnConnect: true)) { socket in
                trace.log("server1 connection")
                socket.on(.data) { data in
                    if stopped { trace.log("FAIL data event should not have happened yet") }
                    trace.log("server1 data \(data.toString())")
                    socket.end()
                    server1.close()
                }
                server1Sock = socket
            }
            server2 = Net.createServer(.init(pauseOnConnect: false)) { socket in
                trace.log("server2 connection")
                socket.on(.data) { data in
                    trace.log("server2 data \(data.toString())")
                    socket.end()
                    server2.close()
                    trace.log("server1 socket bytesRead \(server1Sock?.bytesRead ?? -1)")
                    server1Sock?.resume()
                    stopped = false
                }
            }
            server1.on(.close) { trace.log("stopped at exit: \(stopped)") }
            do {
                try server1.listen(port: 0) {
                    do {
                        try Net.createConnection(ConnectOptions(port: server1.address()?.port ?? 0)).write(msg) { _ in
                            trace.log("client handler")
                            do {
                                try server2.listen(port: 0) {
                                    do {
                                        try Net.createConnection(ConnectOptions(port: server2.address()?.port ?? 0)).write(msg)
                                    } catch { trace.log("FAIL connect threw \(error)") }
                                }
                            } catch { trace.log("FAIL listen threw \(error)") }
                        }
                    } catch { trace.log("FAIL connect threw \(error)") }
                }
            } catch { trace.log("FAIL listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace.filter { $0.hasPrefix("FAIL") } == [])
        #expect(r.trace.filter { $0.hasPrefix("server1 connection") }.count == 1)
        #expect(r.trace.filter { $0.hasPrefix("server2 connection") }.count == 1)
        #expect(r.trace.contains("client handler"))
        #expect(r.trace.contains("server2 data test"))
        #expect(r.trace.contains("server1 socket bytesRead 0"))
        #expect(r.trace.contains("server1 data test"))
        #expect(r.trace.contains("stopped at exit: false"))
    }
}
