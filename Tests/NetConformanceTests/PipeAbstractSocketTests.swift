// Node: test/parallel/test-pipe-abstract-socket.js
import Net
import NetTestSupport
import Testing

/// On Linux, listening on an abstract socket name (`\0abstract`) with `readableAll`, `writableAll` or
/// both throws synchronously: ERR_INVALID_ARG_VALUE, with v20's message (and its "writableAllt" typo)
/// matched by Node's regular expression. The port checks the whole message as Node v20 prints it.
@Suite struct PipeAbstractSocketTests {
    @Test(arguments: [(true, false), (false, true), (true, true)])
    func abstractNameRefusesChmodOptions(readableAll: Bool, writableAll: Bool) {
        let path = "\0abstract"
        let result = LoopThread.run { _, trace in
            let server = Net.createServer { _ in trace.log("connection") }
            do throws(NetError) {
                try server.listen(.init(path: path, readableAll: readableAll, writableAll: writableAll))
                trace.log("listen did not throw")
                server.close()
            } catch {
                trace.log("\(error.name) \(error.code) \(error.message)")
            }
        }
        var received = ["path: '\\x00abstract'"]
        if readableAll { received.append("readableAll: true") }
        if writableAll { received.append("writableAll: true") }
        #expect(result.finished)
        #expect(result.trace == [
            "TypeError ERR_INVALID_ARG_VALUE The argument 'options' can not set readableAll or writableAllt to true "
                + "when path is abstract unix socket. Received { \(received.joined(separator: ", ")) }",
        ])
        #expect(result.trace.allSatisfy {
            $0.contains("can not set readableAll or writableAllt to true when path is abstract unix socket")
        })
    }
}
