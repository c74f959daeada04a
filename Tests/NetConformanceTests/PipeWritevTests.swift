// Node: test/parallel/test-pipe-writev.js
import Net
import NetTestSupport
import Testing

/// Over a Unix socket, a server connection that corks, writes `pi` and `ng` and ends sends them in one
/// `_writev`: the client gets exactly `ping`, in one 'data' event, then 'end' (which closes the server).
/// No 'error' on either side.
///
/// Node checks the batch by wrapping `connection._writev` in `mustCall`; `Socket` is a final class whose
/// `_writev` cannot be replaced, so the port checks the batch's precondition instead: after `cork()`
/// and the two writes nothing has gone out (`writableCorked` 1, `writableLength` 4, both chunks held),
/// and `end()` flushes them together.
@Suite struct PipeWritevTests {
    @Test func corkedWritesArriveTogether() {
        let pipe = Pipes.path("pipe-writev")
        defer { Pipes.remove(pipe) }
        let result = LoopThread.run { _, trace in
            var server: Server!
            server = Net.createServer { connection in
                connection.on(.error) { e in trace.log("S error \(e)") }
                connection.cork()
                connection.write("pi")
                connection.write("ng")
                trace.log("S corked \(connection.writableCorked) length \(connection.writableLength)")
                connection.end()
            }
            server.on(.error) { e in trace.log("server error \(e)") }
            do {
                try server.listen(path: pipe) {
                    let client = Net.connect(path: pipe)
                    client.on(.error) { e in trace.log("C error \(e)") }
                    client.on(.data) { data in trace.log("C data \(data.toString())") }
                    client.on(.end) {
                        trace.log("C end")
                        server.close()
                    }
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(result.finished)
        #expect(result.trace == ["S corked 1 length 4", "C data ping", "C end"])
    }
}
