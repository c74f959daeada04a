// Node: test/parallel/test-net-better-error-messages-listen-path.js
import Net
import NetTestSupport
import Testing

/// Listening on a path in a directory that does not exist (`/blah/fadfa`) fails with 'error' whose
/// `address` is that path; neither the listen callback nor a connection ever runs.
///
/// Node's test asserts only `e.address`; the port also checks the code and message Node v20 prints
/// (`listen EACCES: permission denied /blah/fadfa`: libuv reports the missing directory as EACCES).
@Suite struct BetterErrorMessagesListenPathTests {
    @Test func listenErrorCarriesThePath() {
        let fp = "/blah/fadfa"
        let result = LoopThread.run { _, trace in
            let server = Net.createServer { _ in trace.log("connection") }
            do {
                try server.listen(path: fp) { trace.log("listening") }
            } catch { trace.log("threw \(error)") }
            server.on(.error) { e in
                trace.log("error address \(e.address ?? "nil")")
                trace.log("\(e.code) \(e.message)")
            }
        }
        #expect(result.finished)
        #expect(result.trace == ["error address \(fp)", "EACCES listen EACCES: permission denied \(fp)"])
    }
}
