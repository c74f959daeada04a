// Node: test/parallel/test-net-pipe-with-long-path.js
import Foundation
import Net
import NetTestSupport
import Testing

/// A socket path far longer than `sun_path` (10,000 `x`s) is not truncated into another name
/// (`UV_PIPE_NO_TRUNCATE`): on Linux `listen` fails with 'error' EINVAL, and then connecting to the same
/// path fails with 'error' EINVAL too. (Node's test also allows 'listening' on systems that take long
/// names; Linux does not, so the port requires the error branch.)
///
/// This is Node 21+'s behaviour: v20 (libuv without `UV_PIPE_NO_TRUNCATE`) silently truncates, which
/// is why the test is on Node's main branch only.
@Suite struct NetPipeWithLongPathTests {
    @Test func overlongPathIsEINVALForListenAndConnect() {
        let pipePath = NSTemporaryDirectory() + String(repeating: "x", count: 10000) + ".sock"
        let result = LoopThread.run { _, trace in
            let server = Net.createServer()
            server.on(.listening) {
                trace.log("listening: exists \(FileManager.default.fileExists(atPath: pipePath))")
                server.close()
            }
            server.on(.error) { error in
                trace.log("listen \(error.code)")
                // Not in Node's test (its process just exits): a server that failed to listen keeps its
                // listeners, and with them itself, until it is closed.
                server.close()
                let client = Net.connect(path: pipePath) { trace.log("connect") }
                client.on(.error) { error in trace.log("connect \(error.code)") }
            }
            do { try server.listen(path: pipePath) } catch { trace.log("threw \(error)") }
        }
        #expect(result.finished)
        #expect(result.trace == ["listen EINVAL", "connect EINVAL"])
    }
}
