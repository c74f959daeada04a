// Node: test/parallel/test-net-server-listen-options.js
import Net
import NetTestSupport
import Testing

/// The forms of `listen`: `listen()`, `listen(cb)`, `listen(0)`, `listen({port: 0})` all listen; in both
/// `listen({port}, cb)` and `listen(port, cb)` port 0 listens and -1 or 65536 throw RangeError
/// ERR_SOCKET_BAD_PORT; `{port: -1, path}` throws it too (the port is checked before the path); options
/// with neither `port` nor `path` (`{}`, `{host: 'localhost'}`, `{exclusive: true}`) throw TypeError
/// ERR_INVALID_ARG_VALUE "The argument 'options' must have the property "port" or "path". Received …".
/// Dropped (JS-only): the string port `'0'`, `NaN`, `123.456`, `±Infinity`, boolean ports, `{fd: -1}`,
/// `{path: -1}`, `{host: {port: 3000}}`; `undefined`/`null` ports are the `Int` defaults of `listen(port:)`
/// (`ListenOptions(port: nil)` is Node's `{}`, not `{port: undefined}`, which Swift cannot tell apart).
@Suite struct ServerListenOptionsTests {
    @Test func listenWithoutArgumentsCallbackPortOrOptions() {
        let r = LoopThread.run { _, trace in
            func closeOnListening(_ name: String, _ server: Server) {
                server.on(.listening) {
                    trace.log("\(name) listening")
                    server.close()
                }
            }
            do {
                closeOnListening("listen()", try Net.createServer().listen())
                let s = Net.createServer()
                try s.listen {
                    trace.log("listen(cb) listening")
                    s.close()
                }
                closeOnListening("listen(0)", try Net.createServer().listen(port: 0))
                closeOnListening("listen({port: 0})", try Net.createServer().listen(Server.ListenOptions(port: 0)))
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace.sorted() == ["listen()", "listen(0)", "listen(cb)", "listen({port: 0})"].map { "\($0) listening" })
    }

    @Test func portZeroListensInBothForms() {
        let r = LoopThread.run { _, trace in
            let forms: [(String, (Server, @escaping () -> Void) throws(NetError) -> Void)] = [
                ("options", { s, cb throws(NetError) in try s.listen(Server.ListenOptions(port: 0), cb) }),
                ("port", { s, cb throws(NetError) in try s.listen(port: 0, cb) }),
            ]
            for (name, listen) in forms {
                let server = Net.createServer()
                do throws(NetError) {
                    try listen(server) {
                        trace.log("\(name) listening")
                        server.close()
                    }
                } catch { trace.log("\(name) threw \(error)") }
            }
        }
        #expect(r.finished)
        #expect(r.trace.sorted() == ["options listening", "port listening"])
    }

    @Test func invalidPortsThrowInBothForms() {
        let r = LoopThread.run { _, trace in
            let forms: [(String, (Server, Int) throws(NetError) -> Void)] = [
                ("options", { s, port throws(NetError) in try s.listen(Server.ListenOptions(port: port)) { trace.log("cb (must not happen)") } }),
                ("port", { s, port throws(NetError) in try s.listen(port: port) { trace.log("cb (must not happen)") } }),
            ]
            for (name, listen) in forms {
                for port in [-1, 65536] {
                    do throws(NetError) {
                        try listen(Net.createServer(), port)
                        trace.log("\(name) \(port): no throw")
                    } catch { trace.log("\(name) \(port): \(error.name) \(error.code)") }
                }
            }
            // In listen(options, cb), the port takes precedence over the path.
            do throws(NetError) {
                try Net.createServer().listen(Server.ListenOptions(port: -1, path: "/tmp/net-listen-options-never-made.sock")) {
                    trace.log("cb (must not happen)")
                }
                trace.log("port and path: no throw")
            } catch { trace.log("port and path: \(error.name) \(error.code) \(error.message)") }
        }
        #expect(r.finished)
        #expect(r.trace == [
            "options -1: RangeError ERR_SOCKET_BAD_PORT",
            "options 65536: RangeError ERR_SOCKET_BAD_PORT",
            "port -1: RangeError ERR_SOCKET_BAD_PORT",
            "port 65536: RangeError ERR_SOCKET_BAD_PORT",
            "port and path: RangeError ERR_SOCKET_BAD_PORT options.port should be >= 0 and < 65536. Received type number (-1).",
        ])
    }

    @Test func optionsWithNeitherPortNorPathThrow() {
        let r = LoopThread.run { _, trace in
            let cases: [(String, Server.ListenOptions)] = [
                ("{}", .init()),
                ("{ host: 'localhost' }", .init(host: "localhost")),
                ("{ exclusive: true }", .init(exclusive: true)),
            ]
            for (name, options) in cases {
                let server = Net.createServer()
                server.on(.error) { e in trace.log("error (must not happen) \(e)") }
                do throws(NetError) {
                    try server.listen(options) { trace.log("cb (must not happen)") }
                    trace.log("\(name): no throw")
                } catch { trace.log("\(error.name) \(error.code): \(error.message)") }
            }
        }
        #expect(r.finished)
        // The messages node v20.20.2 prints for these objects.
        #expect(r.trace == [
            #"TypeError ERR_INVALID_ARG_VALUE: The argument 'options' must have the property "port" or "path". Received {}"#,
            #"TypeError ERR_INVALID_ARG_VALUE: The argument 'options' must have the property "port" or "path". Received { host: 'localhost' }"#,
            #"TypeError ERR_INVALID_ARG_VALUE: The argument 'options' must have the property "port" or "path". Received { exclusive: true }"#,
        ])
    }
}
