// Node: test/parallel/test-http-unix-socket.js
import Net
import NetTestSupport
import Testing

/// The `net` part of Node's HTTP-over-a-Unix-socket test: a server on a Unix socket path answers a
/// client that connects by path (`socketPath`), writing `hello ` and `world\n` then ending; the client
/// reads `hello world\n` to its end; then `server.close(cb)` calls back without an error, and a second
/// `close(cb)` from inside that callback calls back with ERR_SERVER_NOT_RUNNING.
///
/// n/a: the http module (request line, status code and headers); the HTTP server's connection is a
/// plain `net` connection here, the client's request is its `end()`.
@Suite struct HttpUnixSocketTests {
    @Test func responseOverAPipeThenCloseTwice() {
        let pipe = Pipes.path("http-unix-socket")
        defer { Pipes.remove(pipe) }
        let result = LoopThread.run { _, trace in
            let server = Net.createServer { socket in
                socket.resume()
                socket.write("hello ")
                socket.write("world\n")
                socket.end()
            }
            do {
                try server.listen(path: pipe) {
                    let req = Net.connect(path: pipe)
                    req.on(.error) { e in trace.log("client error \(e)") }
                    var body = ""
                    req.setEncoding(.utf8)
                    req.on(.data) { chunk in body += chunk.toString() }
                    req.on(.end) {
                        trace.log("body \(body.debugDescription)")
                        server.close { error in
                            trace.log("first close error \(error?.code ?? "nil")")
                            server.close { error in trace.log("second close error \(error?.code ?? "nil")") }
                        }
                    }
                    req.end()
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(result.finished)
        #expect(result.trace == [
            "body \("hello world\n".debugDescription)",
            "first close error nil",
            "second close error ERR_SERVER_NOT_RUNNING",
        ])
    }
}
