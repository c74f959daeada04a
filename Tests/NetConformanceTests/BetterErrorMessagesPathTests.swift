// Node: test/parallel/test-net-better-error-messages-path.js
import Foundation
import Net
import NetTestSupport
import Testing

/// Connecting to a Unix socket path that does not exist fails with 'error' (never 'connect'), code
/// ENOENT and message `connect ENOENT <path>`: the path is in the message.
///
/// Node connects to `/tmp/fadagagsdfgsdf`; the port uses a unique path that does not exist either.
/// n/a: `createConnection({ path: {} })` throwing `Invalid address: [object Object]` (a path is a String).
@Suite struct BetterErrorMessagesPathTests {
    @Test func missingPathNamesThePathInTheMessage() {
        let fp = Pipes.path("fadagagsdfgsdf")
        let result = LoopThread.run { _, trace in
            let c = Net.connect(path: fp)
            c.on(.connect) { trace.log("connect") }
            c.on(.error) { e in trace.log("error \(e.code) \(e.message)") }
        }
        #expect(result.finished)
        #expect(result.trace == ["error ENOENT connect ENOENT \(fp)"])
    }
}
