// Node: test/parallel/test-net-pause-resume-connecting.js
import Net
import NetTestSupport
import Testing

/// `pause()`/`resume()` called while connecting decide whether data flows once connected: clients 1, 2
/// and 4 (last call `resume()`) get 'data'; clients 3 and 5 (paused before their 'data' listener) get
/// none, until 100 ms later their listeners are removed and they are resumed to drain.
@Suite struct PauseResumeConnectingTests {
    @Test func pauseAndResumeBeforeConnect() {
        let result = LoopThread.run { _, trace in
            var connections = 0
            var server: Server!
            server = Net.createServer { conn in
                connections += 1
                conn.end("This was the year he fell to pieces.")
                if connections == 5 { server.close() }
            }
            try! server.listen(port: 0) {
                let port = server.address()!.port!
                func onDataOk(_ client: Int) -> (Chunk) -> Void { { _ in trace.log("data \(client)") } }
                func fail(_ client: Int) -> (Chunk) -> Void { { _ in trace.log("unexpected data \(client)") } }
                func scheduleTearDown(_ conn: Socket) {
                    setTimeout(100) {
                        conn.removeAllListeners(EventKey<Socket, Chunk>.data)
                        conn.resume()
                    }
                }

                // Client 1
                var conn = try! Net.createConnection(port: port, host: "localhost")
                conn.resume()
                conn.on(.data, onDataOk(1))

                // Client 2
                conn = try! Net.createConnection(port: port, host: "localhost")
                conn.pause()
                conn.resume()
                conn.on(.data, onDataOk(2))

                // Client 3
                conn = try! Net.createConnection(port: port, host: "localhost")
                conn.pause()
                conn.on(.data, fail(3))
                scheduleTearDown(conn)

                // Client 4
                conn = try! Net.createConnection(port: port, host: "localhost")
                conn.resume()
                conn.pause()
                conn.resume()
                conn.on(.data, onDataOk(4))

                // Client 5
                conn = try! Net.createConnection(port: port, host: "localhost")
                conn.resume()
                conn.resume()
                conn.pause()
                conn.on(.data, fail(5))
                scheduleTearDown(conn)
            }
            server.on(.close) { trace.log("connections \(connections)") }
        }
        #expect(result.finished)
        #expect(result.trace.filter { $0.hasPrefix("data") }.sorted() == ["data 1", "data 2", "data 4"])
        #expect(!result.trace.contains { $0.hasPrefix("unexpected") })
        #expect(result.trace.last == "connections 5")
    }
}
