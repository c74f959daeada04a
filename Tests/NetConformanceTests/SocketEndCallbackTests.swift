// Node: test/parallel/test-net-socket-end-callback.js
import Net
import NetTestSupport
import Testing

/// `end(cb)`, `end(data, cb)` and `end(data, encoding, cb)` each call `cb` exactly once.
///
/// Node's server is `unref()`ed so the process can exit while it still listens; server `unref` is not in
/// Net yet (issue 5), so the server closes itself once the three callbacks have run.
@Suite struct SocketEndCallbackTests {
    @Test func endCallbackRunsOnceInEachForm() {
        let result = LoopThread.run { _, trace in
            var calls = 0
            var server: Server!
            server = Net.createServer { socket in socket.resume() }
            try! server.listen {
                let port = server.address()!.port!
                let cb: (String) -> (NetError?) -> Void = { form in
                    { error in
                        trace.log("\(form) callback \(error?.code ?? "null")")
                        calls += 1
                        if calls == 3 { server.close() }
                    }
                }
                let s1 = try! Net.createConnection(port: port)
                s1.once(.connect) { s1.end(nil, cb("end(cb)")) }
                let s2 = try! Net.createConnection(port: port)
                s2.once(.connect) { s2.end("foo", cb("end(data, cb)")) }
                let s3 = try! Net.createConnection(port: port)
                s3.once(.connect) { s3.end("foo", encoding: .utf8, cb("end(data, encoding, cb)")) }
            }
        }
        #expect(result.finished)
        #expect(result.trace.sorted() == [
            "end(cb) callback null",
            "end(data, cb) callback null",
            "end(data, encoding, cb) callback null",
        ])
    }
}
