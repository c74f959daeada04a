// Node: test/parallel/test-net-client-bind-twice.js
import Net
import NetTestSupport
import Testing

/// Connecting from a local port that another server already holds fails with EADDRINUSE and never
/// connects. Beyond Node's test (which checks only the code), the error is checked as node v20.20.2
/// reports it on this machine: `bind EADDRINUSE 127.0.0.1:<port>`, syscall `bind` (net's checkBindError
/// turns libuv's deferred bind failure into a bind error before connecting).
@Suite struct ClientBindTwiceTests {
    @Test func connectFromAPortInUseFailsWithEADDRINUSE() {
        let result = LoopThread.run { _, trace in
            func check(_ ok: Bool, _ what: String) { if !ok { trace.log("FAIL \(what)") } }
            let server1 = Net.createServer { _ in trace.log("FAIL connection 1") }
            try! server1.listen(port: 0, host: "127.0.0.1") {
                trace.log("listening 1")
                let server2 = Net.createServer { _ in trace.log("FAIL connection 2") }
                try! server2.listen(port: 0, host: "127.0.0.1") {
                    trace.log("listening 2")
                    let localPort = server2.address()!.port!
                    let client = try! Net.connect(ConnectOptions(
                        port: server1.address()!.port!, host: "127.0.0.1",
                        localAddress: "127.0.0.1", localPort: localPort)) { trace.log("FAIL connect") }
                    client.on(.error) { err in
                        trace.log("error \(err.code)")
                        check(err.syscall == "bind", "syscall \(String(describing: err.syscall))")
                        check(err.message == "bind EADDRINUSE 127.0.0.1:\(localPort)", err.message)
                        server1.close()
                        server2.close()
                    }
                }
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["listening 1", "listening 2", "error EADDRINUSE"])
    }
}
