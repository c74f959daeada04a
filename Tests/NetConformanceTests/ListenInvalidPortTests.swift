// Node: test/parallel/test-net-listen-invalid-port.js
import Net
import NetTestSupport
import Testing

/// Port validation in every form of `listen`: 2³²−1 (`-1 >>> 0`) throws RangeError ERR_SOCKET_BAD_PORT from
/// `listen({port})`, `listen(port)` and `listen(port, '0.0.0.0')`, and the callback never runs.
/// Dropped: the `_connectionKey` check of a `listen(0)` server (an internal field); the port keeps the
/// listen(0) itself and checks that it listens.
@Suite struct ListenInvalidPortTests {
    static let invalidPort = 4_294_967_295

    @Test func listenZeroWorks() {
        let r = LoopThread.run { _, trace in
            let server = Net.createServer()
            do {
                try server.listen(port: 0) {
                    trace.log("listening, port > 0: \((server.address()?.port ?? 0) > 0)")
                    server.close()
                }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace == ["listening, port > 0: true"])
    }

    @Test func everyListenFormRejectsTheInvalidPort() {
        let r = LoopThread.run { _, trace in
            let forms: [(String, (Server) throws(NetError) -> Void)] = [
                ("options", { s throws(NetError) in try s.listen(Server.ListenOptions(port: Self.invalidPort)) { trace.log("cb (must not happen)") } }),
                ("port", { s throws(NetError) in try s.listen(port: Self.invalidPort) { trace.log("cb (must not happen)") } }),
                ("port+host", { s throws(NetError) in try s.listen(port: Self.invalidPort, host: "0.0.0.0") { trace.log("cb (must not happen)") } }),
            ]
            for (name, listen) in forms {
                let server = Net.createServer()
                server.on(.error) { e in trace.log("\(name): error (must not happen) \(e)") }
                do throws(NetError) {
                    try listen(server)
                    trace.log("\(name): no throw")
                } catch {
                    trace.log("\(name): \(error.name) \(error.code) \(error.message)")
                }
                trace.log("\(name): listening=\(server.listening)")
            }
        }
        #expect(r.finished)
        let message = "options.port should be >= 0 and < 65536. Received type number (4294967295)."
        #expect(r.trace == [
            "options: RangeError ERR_SOCKET_BAD_PORT \(message)", "options: listening=false",
            "port: RangeError ERR_SOCKET_BAD_PORT \(message)", "port: listening=false",
            "port+host: RangeError ERR_SOCKET_BAD_PORT \(message)", "port+host: listening=false",
        ])
    }
}
