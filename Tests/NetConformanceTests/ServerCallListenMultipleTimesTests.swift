// Node: test/parallel/test-net-server-call-listen-multiple-times.js
import Net
import NetTestSupport
import Testing

/// Calling `listen` again on one Server: after an 'error' it can listen at once; while listening a second
/// `listen()` throws ERR_SERVER_ALREADY_LISTEN; after `close()` it can listen again.
@Suite struct ServerCallListenMultipleTimesTests {
    @Test func listenAgainRightAfterAnError() {
        let r = LoopThread.run { _, trace in
            let dummyServer = Net.createServer()
            let server = Net.createServer()
            do {
                // Run some server in order to simulate an EADDRINUSE error.
                try dummyServer.listen {
                    trace.log("dummy listening")
                    guard let port = dummyServer.address()?.port else { return }
                    do { try server.listen(port: port) } catch { trace.log("listen threw \(error)") }
                }
            } catch { trace.log("dummy listen threw \(error)") }
            server.on(.error) { e in
                trace.log("error \(e.code)")
                do {
                    try server.listen {
                        trace.log("listening again")
                        dummyServer.close()
                        server.close()
                    }
                } catch { trace.log("second listen threw \(error)") }
            }
        }
        #expect(r.finished)
        #expect(r.trace == ["dummy listening", "error EADDRINUSE", "listening again"])
    }

    @Test func secondListenThrowsServerAlreadyListen() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer()
            do {
                try server.listen {
                    trace.log("listening")
                    server.close()
                }
            } catch { trace.log("listen threw \(error)") }
            do throws(NetError) {
                try server.listen()
                trace.log("second listen did not throw")
            } catch {
                trace.log("\(error.name) \(error.code): \(error.message)")
            }
        }
        #expect(r.finished)
        #expect(r.trace == [
            "Error ERR_SERVER_ALREADY_LISTEN: Listen method has been called more than once without closing.",
            "listening",
        ])
    }

    @Test func listenAgainAfterClose() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer()
            do {
                try server.listen {
                    trace.log("listening")
                    server.close()
                    do {
                        try server.listen {
                            trace.log("listening again")
                            server.close()
                        }
                    } catch { trace.log("second listen threw \(error)") }
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == ["listening", "listening again"])
    }
}
