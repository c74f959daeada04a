// Node: test/parallel/test-net-connect-paused-connection.js
import Net
import NetTestSupport
import Testing

/// A connected client that was paused before it connected does not read, so it does not keep the process
/// alive: with the server and its accepted socket unref'd, the loop returns right after the connection,
/// before an unref'd 1 s timer. Node spawns nothing here: its test process must simply exit.
@Suite struct ConnectPausedConnectionTests {
    @Test func pausedConnectedSocketLetsTheLoopEnd() {
        let result = LoopThread.run(timeout: 10) { loop, trace in
            var server: Server!
            server = Net.createServer { conn in conn.unref() }
            try! server.listen(port: 0) {
                let client = try! Net.connect(port: server.address()!.port!, host: "localhost").pause()
                // Not in Node's test: shows the loop ended with the connection made, not before it.
                client.on(.connect) { trace.log("client connected") }
                loop.setTimeout(1000) { trace.log("expected to exit") }.unref()
            }
            server.unref()
        }
        #expect(result.finished)
        #expect(result.seconds < 1)
        #expect(result.trace == ["client connected"])
    }
}
