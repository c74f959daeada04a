// Node: test/parallel/test-pipe-stream.js
import Net
import NetTestSupport
import Testing

/// PING/PONG over a Unix socket, twice in a row (Node runs it with `net.Stream` and then `net.Socket`,
/// the same class; here `Socket()` both times, the second run started from the first server's 'close'):
/// a `new Socket()` connects to the server's path and writes PING from its connect callback; the server
/// gets exactly `PING` and answers PONG; the client gets exactly `PONG` and destroys itself; the server
/// connection's 'close' closes the server, whose 'close' checks both were seen. No 'error' anywhere.
@Suite struct PipeStreamTests {
    @Test func pingPongTwiceOverAPipe() {
        let pipe = Pipes.path("pipe-stream")
        defer { Pipes.remove(pipe) }
        let result = LoopThread.run { _, trace in
            func test(_ run: Int, _ cb: (() -> Void)?) {
                var havePing = false
                var havePong = false

                func ping() {
                    let conn = Socket()
                    conn.on(.error) { e in trace.log("\(run) client error \(e)") }
                    conn.connect(path: pipe) { conn.write("PING", encoding: .utf8) }
                    conn.on(.data) { data in
                        if data.toString() != "PONG" { trace.log("\(run) client data \(data)") }
                        havePong = true
                        conn.destroy()
                    }
                }

                let server = Server()
                func pong(_ conn: Socket) {
                    conn.on(.error) { e in trace.log("\(run) server error \(e)") }
                    conn.on(.data) { data in
                        if data.toString() != "PING" { trace.log("\(run) server data \(data)") }
                        havePing = true
                        conn.write("PONG", encoding: .utf8)
                    }
                    conn.on(.close) { _ in server.close() }
                }

                do { try server.listen(path: pipe, ping) } catch { trace.log("\(run) listen threw \(error)") }
                server.on(.connection, pong)
                server.on(.close) {
                    trace.log("\(run) server close: ping \(havePing) pong \(havePong)")
                    cb?()
                }
            }
            test(1) { test(2, nil) }
        }
        #expect(result.finished)
        #expect(result.trace == ["1 server close: ping true pong true", "2 server close: ping true pong true"])
    }
}
