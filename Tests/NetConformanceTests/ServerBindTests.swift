// Node: test/sequential/test-net-server-bind.js
import Net
import NetTestSupport
import Testing

/// Binding: `listen(cb)` gets an OS-assigned port (> 100); `listen(port)` without a callback is bound when
/// looked at 100 ms later; `listen(port, cb)`; `listen(port, '0.0.0.0', 127, cb)` and `listen(port, 127, cb)`
/// (a backlog with and without a host) bind the port asked for.
/// Node uses fixed ports (common.PORT … + 3); the port asks for ports the OS handed out a moment earlier.
/// Dropped: the `_connectionKey` check (an internal field).
@Suite struct ServerBindTests {
    @Test func listenFormsBindThePortAskedFor() {
        let r = LoopThread.run { loop, trace in
            func record(_ name: String, _ server: Server, _ port: Int?) {
                let actual = server.address()?.port ?? -1
                if let port {
                    trace.log("\(name): \(actual == port ? "port as asked" : "port \(actual) != \(port)")")
                } else {
                    trace.log("\(name): port > 100 \(actual > 100)")
                }
                server.close()
            }
            do {
                // With only a callback, the server gets a port assigned by the OS.
                let server0 = Net.createServer { _ in }
                try server0.listen { record("address0", server0, nil) }

                // No callback to listen(): bound within 100 ms.
                let port1 = Ports.recentlyFree()
                let server1 = Net.createServer { _ in }
                try server1.listen(port: port1)
                loop.setTimeout(100) { record("address1", server1, port1) }

                // Callback to listen().
                let port2 = Ports.recentlyFree()
                let server2 = Net.createServer { _ in }
                try server2.listen(port: port2) { record("address2", server2, port2) }

                // Backlog argument.
                let port3 = Ports.recentlyFree()
                let server3 = Net.createServer { _ in }
                try server3.listen(port: port3, host: "0.0.0.0", backlog: 127) { record("address3", server3, port3) }

                // Backlog argument without host argument.
                let port4 = Ports.recentlyFree()
                let server4 = Net.createServer { _ in }
                try server4.listen(port: port4, backlog: 127) { record("address4", server4, port4) }
            } catch { trace.log("listen threw \(error)") }
        }
        #expect(r.finished)
        #expect(r.trace.sorted() == [
            "address0: port > 100 true",
            "address1: port as asked",
            "address2: port as asked",
            "address3: port as asked",
            "address4: port as asked",
        ])
    }
}
